#include "mlosbench/util/secret_mask.hpp"

#include <gtest/gtest.h>

using namespace mlosbench;

TEST(SecretMask, MasksEveryOccurrenceOfEachSecret)
{
    SecretMask mask;
    mask.add("hunter2");
    mask.add("tok3n-tok3n");
    EXPECT_EQ(mask.apply("postgres://u:hunter2@h/db?x=hunter2"), "postgres://u:***@h/db?x=***");
    EXPECT_EQ(mask.apply("Bearer tok3n-tok3n"), "Bearer ***");
    EXPECT_EQ(mask.apply("nothing here"), "nothing here");
}

TEST(SecretMask, LongerSecretsFirstAndShortOnesIgnored)
{
    SecretMask mask;
    mask.add("abcd");
    mask.add("abcdefgh"); // contains the other: masked whole
    mask.add("xyz");      // too short to mask without hiding unrelated text
    EXPECT_FALSE(mask.empty());
    EXPECT_EQ(mask.apply("abcdefgh abcd xyz"), "*** *** xyz");
    SecretMask none;
    none.add("");
    none.add("abc");
    EXPECT_TRUE(none.empty());
}

TEST(SecretMask, ASecretThatContainsTheMaskEnds)
{
    SecretMask mask;
    mask.add("a***a");
    EXPECT_EQ(mask.apply("a***aa***a"), "******");
}
