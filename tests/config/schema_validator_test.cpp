#include "config/config_cases.hpp"
#include "mlosbench/config/jsonc.hpp"
#include "mlosbench/config/schema_validator.hpp"
#include "mlosbench/util/strings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

using namespace mlosbench;
using namespace mlosbench::testing;
namespace fs = std::filesystem;

namespace {

// --- Our own cases: tests/config/cases/<kind>/{good,bad,unsupported}/ -----------------------
// A bad case lists every error it must get, verbatim, as `// expect: <pointer>: <message>`.

const std::vector<ConfigCase>& own_cases()
{
    static const std::vector<ConfigCase> cases =
        collect_config_cases(tests_dir() / "config" / "cases");
    return cases;
}

std::vector<std::string> expected_errors(const ConfigCase& c)
{
    std::vector<std::string> expected;
    const std::string prefix = "// expect: ";
    for (const auto& line : split_lines(read_file(c.path))) {
        if (line.rfind(prefix, 0) == 0) {
            expected.push_back(c.path.string() + ": " + line.substr(prefix.size()));
        }
    }
    return expected;
}

std::vector<std::string> whats(const std::vector<ConfigError>& errors)
{
    std::vector<std::string> out;
    for (const auto& e : errors) {
        out.emplace_back(e.what());
    }
    return out;
}

class OwnCase : public ::testing::TestWithParam<ConfigCase>
{
};

TEST_P(OwnCase, GetsExactlyTheExpectedErrors)
{
    const ConfigCase& c = GetParam();
    const std::string file = c.path.string();
    const auto errors = validate_config(load_jsonc_file(file), c.kind, file);
    const auto expected = expected_errors(c);
    if (c.expectation == CaseExpectation::good) {
        EXPECT_TRUE(errors.empty()) << error_lines(errors);
        EXPECT_TRUE(expected.empty()) << "a good case expects no errors";
    } else {
        EXPECT_FALSE(expected.empty()) << "a bad case must say what it expects";
        EXPECT_EQ(whats(errors), expected);
    }
    if (c.expectation == CaseExpectation::unsupported) {
        EXPECT_NE(error_lines(errors).find("is not supported by mlosbench"), std::string::npos);
    }
}

TEST_P(OwnCase, DetectsItsKind)
{
    const ConfigCase& c = GetParam();
    const Json doc = load_jsonc_file(c.path.string());
    // A good file with a $schema or a class says its kind; one without says nothing.
    if (c.expectation == CaseExpectation::good &&
        (doc.contains("$schema") || doc.contains("class"))) {
        EXPECT_EQ(detect_kind(doc), c.kind);
    }
}

INSTANTIATE_TEST_SUITE_P(Own, OwnCase, ::testing::ValuesIn(own_cases()), config_case_name);

class OwnGoodCase : public ::testing::TestWithParam<ConfigCase>
{
};

TEST_P(OwnGoodCase, RejectsAddedKeys)
{
    const ConfigCase& c = GetParam();
    Json doc = load_jsonc_file(c.path.string());
    Json top = doc;
    top[k_added_key] = 42;
    EXPECT_EQ(
        whats(validate_config(top, c.kind, "f")),
        std::vector<std::string>{c.kind == ConfigKind::tunable_params
                                     ? "f: /mlosbench_unknown_key: expected object, got number"
                                     : "f: unknown key 'mlosbench_unknown_key'"});
    if (doc.contains("config") && doc["config"].is_object()) {
        doc["config"][k_added_key] = 1;
        EXPECT_EQ(whats(validate_config(doc, c.kind, "f")),
                  std::vector<std::string>{"f: /config: unknown key 'mlosbench_unknown_key'"});
    }
}

INSTANTIATE_TEST_SUITE_P(Own,
                         OwnGoodCase,
                         ::testing::ValuesIn(good_cases(own_cases())),
                         config_case_name);

TEST(OwnCases, CoverEveryKindWithoutAcceptanceCases)
{
    std::set<ConfigKind> good;
    std::set<ConfigKind> bad;
    for (const auto& c : own_cases()) {
        (c.expectation == CaseExpectation::good ? good : bad).insert(c.kind);
    }
    for (const auto kind : {ConfigKind::cli, ConfigKind::service, ConfigKind::optimizer,
                            ConfigKind::scheduler, ConfigKind::storage}) {
        EXPECT_TRUE(good.contains(kind)) << kind_name(kind);
        EXPECT_TRUE(bad.contains(kind)) << kind_name(kind);
    }
}

// --- Messages users see, verbatim ----------------------------------------------------------

std::string only_error(const std::string& json, ConfigKind kind)
{
    const auto errors = validate_config(parse_jsonc(json, "inline"), kind, "conf.jsonc");
    if (errors.size() != 1) {
        return "expected one error, got:\n" + error_lines(errors);
    }
    return errors[0].what();
}

TEST(SchemaMessages, WrongTypeNamesBothTypes)
{
    EXPECT_EQ(only_error(R"({"name": "r", "class": "RemoteEnv",
                             "config": {"setup": ["ok", 1]}})",
                         ConfigKind::environment),
              "conf.jsonc: /config/setup/1: expected string, got number");
}

TEST(SchemaMessages, UnknownKeySuggestsTheClosestAllowedKey)
{
    EXPECT_EQ(only_error(R"({"name": "r", "class": "RemoteEnv",
                             "config": {"run": ["x"], "shell_env_param": ["a"]}})",
                         ConfigKind::environment),
              "conf.jsonc: /config: unknown key 'shell_env_param' (did you mean "
              "'shell_env_params'?)");
}

TEST(SchemaMessages, PatternsAreSafeOnLongTextsAndAnchoredAtItsEnds)
{
    // std::regex (valijson's) recursed once per character: 200,000 of them overflowed the stack.
    const std::string id(200'000, 'a');
    EXPECT_EQ(only_error(R"({"experiment_id": ")" + id + R"("})", ConfigKind::globals),
              "conf.jsonc: /experiment_id: a value of 200000 characters, where at most 16384 are "
              "expected");
    const std::string name(300'000, 'x');
    EXPECT_EQ(only_error(R"({"group": {"cost": 1, "params": {")" + name +
                             R"(": {"type": "int", "range": [0, 1], "default": 0}}}})",
                         ConfigKind::tunable_params),
              "conf.jsonc: /group/params: a key of 300000 characters, where at most 16384 are "
              "expected");
    // Up to the limit, the pattern decides; `^` and `$` match only at the ends of the text.
    EXPECT_TRUE(validate_config(parse_jsonc(R"({"experiment_id": ")" + std::string(16384, 'a') +
                                                R"("})",
                                            "conf.jsonc"),
                                ConfigKind::globals, "conf.jsonc")
                    .empty());
    EXPECT_EQ(only_error(R"({"experiment_id": "ok\nnot ok!"})", ConfigKind::globals),
              "conf.jsonc: /experiment_id: invalid value \"ok\\nnot ok!\": expected letters, "
              "digits, '_', '.' and '-' only");
}

TEST(SchemaMessages, MissingRequiredKey)
{
    EXPECT_EQ(only_error(R"({"class": "MockEnv"})", ConfigKind::environment),
              "conf.jsonc: missing required key 'name'");
}

TEST(SchemaMessages, EnumListsTheAllowedValues)
{
    EXPECT_EQ(only_error(R"({"class": "MockOptimizer",
                             "config": {"optimization_targets": {"score": 5}}})",
                         ConfigKind::optimizer),
              "conf.jsonc: /config/optimization_targets/score: value 5 is not one of \"min\", "
              "\"max\"");
}

TEST(SchemaMessages, UnsupportedClassSaysSo)
{
    EXPECT_EQ(only_error(R"({"name": "vm", "class": "mlos_bench.environments.remote.VMEnv"})",
                         ConfigKind::environment),
              "conf.jsonc: /class: class 'mlos_bench.environments.remote.VMEnv' is not supported "
              "by mlosbench");
    EXPECT_EQ(only_error(R"({"class": "mlos_bench.services.remote.azure.AzureAuthService"})",
                         ConfigKind::service),
              "conf.jsonc: /class: class 'mlos_bench.services.remote.azure.AzureAuthService' is "
              "not supported by mlosbench");
}

TEST(SchemaMessages, UnknownClassListsTheClassesOfTheKind)
{
    EXPECT_EQ(only_error(R"({"name": "x", "class": "LoclEnv"})", ConfigKind::environment),
              "conf.jsonc: /class: unknown environment class 'LoclEnv' (did you mean "
              "'LocalEnv'?); expected CompositeEnv, LocalEnv, LocalFileShareEnv, MockEnv or "
              "RemoteEnv (or mlos_bench's module path of one)");
}

TEST(SchemaMessages, SchemaOfAnotherKindListsTheKinds)
{
    EXPECT_EQ(
        only_error(R"({"$schema": "../schemas/tunables/tunable-values-schema.json",
                       "name": "x", "class": "MockEnv"})",
                   ConfigKind::environment),
        "conf.jsonc: /$schema: $schema is the tunable-values schema, but this file is read as "
        "kind environment, whose $schema ends in schemas/environments/environment-schema.json "
        "(kinds: cli, globals, environment, service, optimizer, scheduler, storage, "
        "tunable-params, tunable-values)");
}

TEST(SchemaMessages, PointersEscapeSlashAndTilde)
{
    EXPECT_EQ(only_error(R"({"g": {"cost": 1, "params": {"a/b~c": {"type": "int", "default": 1,
                             "range": [0, "9"]}}}})",
                         ConfigKind::tunable_params),
              "conf.jsonc: /g/params/a~1b~0c/range/1: expected integer, got string");
}

TEST(SchemaMessages, ClassDispatchSpeaksOfTheGivenClassOnly)
{
    // A LocalEnv key in a MockEnv: one message, about MockEnv's keys.
    EXPECT_EQ(only_error(R"({"name": "m", "class": "MockEnv", "config": {"run": ["x"]}})",
                         ConfigKind::environment),
              "conf.jsonc: /config: unknown key 'run'");
}

TEST(SchemaMessages, ThrowingVariantCarriesEveryError)
{
    const Json doc =
        parse_jsonc(R"({"class": "MockEnv", "config": {"mock_env_seed": "1"}})", "inline");
    try {
        check_config(doc, ConfigKind::environment, "env.jsonc");
        FAIL() << "check_config accepted a bad config";
    } catch (const ConfigErrors& e) {
        ASSERT_EQ(e.errors().size(), 2U);
        EXPECT_STREQ(e.what(), "env.jsonc: missing required key 'name'\n"
                               "env.jsonc: /config/mock_env_seed: expected integer, got string");
        EXPECT_EQ(e.errors()[1].pointer(), "/config/mock_env_seed");
        EXPECT_EQ(e.errors()[1].file(), "env.jsonc");
    }
    EXPECT_NO_THROW(check_config(parse_jsonc(R"({"name": "m", "class": "MockEnv"})", "inline"),
                                 ConfigKind::environment, "env.jsonc"));
}

TEST(SchemaMessages, ManyProblemsAreCapped)
{
    Json doc = Json::object();
    for (int i = 0; i < 40; ++i) {
        doc["k" + std::to_string(i)] = Json::array({Json::object()});
    }
    const auto errors = validate_config(doc, ConfigKind::globals, "g.jsonc");
    ASSERT_EQ(errors.size(), 26U);
    EXPECT_STREQ(errors.back().what(), "g.jsonc: ... and 15 more problems");
}

// --- Kinds -----------------------------------------------------------------------------------

TEST(ConfigKinds, NamesRoundTrip)
{
    for (const auto kind :
         {ConfigKind::cli, ConfigKind::globals, ConfigKind::environment, ConfigKind::service,
          ConfigKind::optimizer, ConfigKind::scheduler, ConfigKind::storage,
          ConfigKind::tunable_params, ConfigKind::tunable_values}) {
        EXPECT_EQ(kind_from_name(kind_name(kind)), kind);
    }
    EXPECT_EQ(kind_name(ConfigKind::tunable_params), "tunable-params");
    EXPECT_EQ(kind_from_name("environments"), ConfigKind::environment);
    EXPECT_EQ(kind_from_name("tunable_values"), ConfigKind::tunable_values);
    EXPECT_EQ(kind_from_name("environmnet"), std::nullopt);
}

TEST(ConfigKinds, DetectedFromSchemaUrl)
{
    const auto detect = [](const std::string& url) { return detect_kind(Json{{"$schema", url}}); };
    EXPECT_EQ(detect("https://raw.githubusercontent.com/microsoft/MLOS/main/mlos_bench/"
                     "mlos_bench/config/schemas/environments/environment-schema.json"),
              ConfigKind::environment);
    EXPECT_EQ(detect("../../config/schemas/tunables/tunable-params-schema.json"),
              ConfigKind::tunable_params);
    EXPECT_EQ(detect("schemas/cli/globals-schema.json"), ConfigKind::globals);
    EXPECT_EQ(detect("/usr/share/mlosbench/config/schemas/cli/cli-schema.json"), ConfigKind::cli);
    EXPECT_EQ(detect("https://example.com/myschemas/cli/cli-schema.json"), std::nullopt);
    EXPECT_EQ(detect("https://example.com/schema.json"), std::nullopt);
}

TEST(ConfigKinds, DetectedFromClassOrServicesList)
{
    EXPECT_EQ(detect_kind(Json{{"class", "mlos_bench.optimizers.MockOptimizer"}}),
              ConfigKind::optimizer);
    EXPECT_EQ(detect_kind(Json{{"class", "SyncScheduler"}}), ConfigKind::scheduler);
    EXPECT_EQ(detect_kind(Json{{"class", "mlos_bench.storage.sql.storage.SqlStorage"}}),
              ConfigKind::storage);
    // Unsupported and unknown mlos_bench classes still tell their kind, so that validating
    // them says what is wrong with them.
    EXPECT_EQ(detect_kind(Json{{"class", "mlos_bench.environments.remote.VMEnv"}}),
              ConfigKind::environment);
    EXPECT_EQ(detect_kind(Json{{"class", "mlos_bench.environments.DNE"}}), ConfigKind::environment);
    EXPECT_EQ(detect_kind(Json{{"services", Json::array()}}), ConfigKind::service);
    EXPECT_EQ(detect_kind(Json{{"services", {Json{{"class", "LocalExecService"}}}}}),
              ConfigKind::service);
    // A CLI config lists service files, a service config lists services.
    EXPECT_EQ(detect_kind(Json{{"services", {"services/ssh.jsonc"}}}), std::nullopt);
    EXPECT_EQ(detect_kind(Json{{"class", "Whatever"}}), std::nullopt);
    EXPECT_EQ(detect_kind(Json{{"foo", 1}}), std::nullopt);
    EXPECT_EQ(detect_kind(Json::array()), std::nullopt);
    // $schema wins over class.
    EXPECT_EQ(detect_kind(Json{{"$schema", "x/schemas/services/service-schema.json"},
                               {"class", "MockEnv"}}),
              ConfigKind::service);
}

// --- Behaviour of the validator itself ------------------------------------------------------

TEST(SchemaValidator, ValidatesFromSeveralThreadsAtOnce)
{
    // The first use of each schema races between threads; all must see the same results.
    const Json bad_env =
        parse_jsonc(R"({"name": "x", "class": "LocalEnv", "config": {"run": 1}})", "inline");
    const Json good_storage = parse_jsonc(
        R"({"class": "SqlStorage", "config": {"drivername": "sqlite", "database": "x.db"}})",
        "inline");
    std::vector<std::thread> threads;
    std::vector<std::size_t> counts(8);
    for (std::size_t t = 0; t < counts.size(); ++t) {
        threads.emplace_back([&, t] {
            counts[t] = validate_config(bad_env, ConfigKind::environment, "e").size() +
                        validate_config(good_storage, ConfigKind::storage, "s").size();
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const auto count : counts) {
        EXPECT_EQ(count, 1U);
    }
}

/// The kind of the configs in a folder named `folder`, as mlos_bench lays out config/.
std::optional<ConfigKind> folder_kind(const std::string& folder)
{
    if (folder == "tunables") {
        return ConfigKind::tunable_params;
    }
    if (folder == "experiments") {
        return ConfigKind::globals;
    }
    return kind_from_name(folder);
}

TEST(SchemaValidator, ShippedConfigsValidate)
{
    // Every config shipped under config/ (schemas aside) must validate against its kind:
    // the kind its $schema or class says, else the one a folder on its path is named after.
    const fs::path root = tests_dir().parent_path() / "config";
    std::size_t checked = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const fs::path relative = fs::relative(entry.path(), root);
        const auto ext = entry.path().extension();
        if (!entry.is_regular_file() || (ext != ".json" && ext != ".jsonc") ||
            *relative.begin() == "schemas") {
            continue;
        }
        const std::string file = entry.path().string();
        const Json doc = load_jsonc_file(file);
        auto kind = detect_kind(doc);
        for (auto folder = relative.begin(); !kind && folder != relative.end(); ++folder) {
            kind = folder_kind(folder->string());
        }
        ASSERT_TRUE(kind) << file << ": cannot tell its kind; add a \"$schema\"";
        EXPECT_EQ(error_lines(validate_config(doc, *kind, file)), "");
        ++checked;
    }
    RecordProperty("shipped_configs", static_cast<int>(checked));
}

TEST(SchemaValidator, SchemaFilesAreDraft07AndSelfDescribing)
{
    // Each kind's schema file exists where $schema suffixes point, declares draft-07 and
    // says what it is for editors.
    const fs::path schemas = tests_dir().parent_path() / "config" / "schemas";
    const std::vector<std::string> files = {
        "cli/cli-schema.json",
        "cli/globals-schema.json",
        "environments/environment-schema.json",
        "services/service-schema.json",
        "optimizers/optimizer-schema.json",
        "schedulers/scheduler-schema.json",
        "storage/storage-schema.json",
        "tunables/tunable-params-schema.json",
        "tunables/tunable-values-schema.json",
    };
    for (const auto& file : files) {
        const Json schema = Json::parse(read_file(schemas / file));
        EXPECT_EQ(schema.value("$schema", ""), "http://json-schema.org/draft-07/schema#") << file;
        EXPECT_FALSE(schema.value("title", "").empty()) << file;
        EXPECT_EQ(detect_kind(Json{{"$schema", "https://example.com/schemas/" + file}}),
                  detect_kind(Json{{"$schema", "schemas/" + file}}))
            << file;
    }
    EXPECT_TRUE(fs::exists(schemas / "README.md"));
}

} // namespace
