#include "support/zip_reader.hpp"

#include <gtest/gtest.h>
#include <zip.h>

namespace mlosbench::testing {

std::vector<ZipEntry> read_zip_entries(const std::filesystem::path& path)
{
    std::vector<ZipEntry> entries;
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (archive == nullptr) {
        ADD_FAILURE() << "cannot open " << path << " as a zip archive: libzip error " << error;
        return entries;
    }
    for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
        zip_stat_t stat;
        zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat);
        std::string contents(static_cast<std::size_t>(stat.size), '\0');
        zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
        EXPECT_EQ(zip_fread(file, contents.data(), stat.size), static_cast<zip_int64_t>(stat.size));
        zip_fclose(file);
        entries.push_back({stat.name, contents});
    }
    zip_close(archive);
    return entries;
}

} // namespace mlosbench::testing
