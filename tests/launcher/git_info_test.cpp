#include "mlosbench/launcher/git_info.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;

TEST(GitInfo, RemoteUrlsLoseTheirCredentials)
{
    EXPECT_EQ(url_without_credentials("https://user:tok3n@example.com/org/repo.git"),
              "https://example.com/org/repo.git");
    EXPECT_EQ(url_without_credentials("https://ghp_abc@github.com/org/repo"),
              "https://github.com/org/repo");
    EXPECT_EQ(url_without_credentials("ssh://git:pw@host:2222/repo"), "ssh://host:2222/repo");
    EXPECT_EQ(url_without_credentials("https://u:p@ss@host"), "https://host");
    // No userinfo, or an '@' past the host: unchanged.
    EXPECT_EQ(url_without_credentials("https://example.com/a@b"), "https://example.com/a@b");
    EXPECT_EQ(url_without_credentials("file:///srv/repo"), "file:///srv/repo");
    // scp-like and plain paths carry a user name at most, never a password.
    EXPECT_EQ(url_without_credentials("git@github.com:org/repo.git"),
              "git@github.com:org/repo.git");
    EXPECT_EQ(url_without_credentials("/srv/git/repo"), "/srv/git/repo");
}
