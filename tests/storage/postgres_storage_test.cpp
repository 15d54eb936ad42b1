// What only PostgreSQL has: its schema (mlos_bench's tables as SQLAlchemy creates them there,
// our version table, the alembic stamp), two workers creating it at once, databases that are
// not ours, the URL and storage config that name it, TLS as sslmode asks, and the password
// never shown.
#include "mlosbench/storage/postgres_storage.hpp"
#include "mlosbench/storage/schema_version.hpp"
#include "mlosbench/storage/storage_spec.hpp"
#include "mlosbench/util/error.hpp"
#include "mlosbench/util/process.hpp"
#include "support/postgres_server.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <string>
#include <thread>
#include <vector>

namespace mlosbench {
namespace {

using testing::PostgresServer;

PostgresServer& server() { return PostgresServer::shared(); }

PostgresTarget target_of(const std::string& database)
{
    return parse_postgres_url(server().url_with_password(database), "test");
}

std::vector<std::string> rows(const std::string& database, const std::string& sql)
{
    return server().rows(database, sql);
}

TEST(PostgresStorage, CreatesMlosBenchsTablesAsSqlAlchemyDoes)
{
    const std::string db = server().create_database();
    EXPECT_EQ(create_update_postgres_schema(target_of(db)), 0);
    EXPECT_EQ(create_update_postgres_schema(target_of(db)), k_schema_version);
    const auto columns = [&](const std::string& table) {
        return rows(db, "SELECT column_name, data_type, COALESCE(character_maximum_length, 0), "
                        "is_nullable FROM information_schema.columns WHERE table_name = '" +
                            table + "' ORDER BY ordinal_position");
    };
    EXPECT_EQ(columns("experiment"),
              (std::vector<std::string>{
                  "exp_id|character varying|512|NO", "description|character varying|1024|YES",
                  "root_env_config|character varying|1024|NO", "git_repo|character varying|1024|NO",
                  "git_commit|character varying|40|NO", "ts_start|timestamp with time zone|0|YES",
                  "ts_end|timestamp with time zone|0|YES", "status|character varying|16|YES",
                  "driver_name|character varying|40|YES", "driver_pid|integer|0|YES"}));
    EXPECT_EQ(columns("trial"),
              (std::vector<std::string>{"exp_id|character varying|512|NO", "trial_id|integer|0|NO",
                                        "config_id|integer|0|NO", "trial_runner_id|integer|0|YES",
                                        "ts_start|timestamp with time zone|0|NO",
                                        "ts_end|timestamp with time zone|0|YES",
                                        "status|character varying|16|NO"}));
    EXPECT_EQ(columns("trial_telemetry"),
              (std::vector<std::string>{"exp_id|character varying|512|NO", "trial_id|integer|0|NO",
                                        "ts|timestamp with time zone|0|NO",
                                        "metric_id|character varying|512|NO",
                                        "metric_value|character varying|255|YES"}));
    EXPECT_EQ(columns("objectives")[3], "weight|double precision|0|YES");
    // config_id is SERIAL: a sequence gives the ids, as SQLAlchemy's autoincrement.
    EXPECT_EQ(rows(db, "SELECT column_default LIKE 'nextval(%' FROM information_schema.columns "
                       "WHERE table_name = 'config' AND column_name = 'config_id'"),
              std::vector<std::string>{"1"});
    EXPECT_EQ(rows(db, "SELECT col_description('experiment'::regclass, 10)"),
              std::vector<std::string>{"Driver Process ID"});
    EXPECT_EQ(rows(db, "SELECT version_num FROM alembic_version"),
              std::vector<std::string>{"b61aa446e724"});
    EXPECT_EQ(rows(db, "SELECT version FROM mlosbench_schema"),
              std::vector<std::string>{std::to_string(k_schema_version)});
}

TEST(PostgresStorage, WorkersCreatingTheSchemaAtOnceDoItOnce)
{
    const std::string db = server().create_database();
    std::vector<int> found(4, -1);
    std::vector<std::string> errors(found.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < found.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                found[i] = create_update_postgres_schema(target_of(db));
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    std::sort(found.begin(), found.end());
    EXPECT_EQ(errors, std::vector<std::string>(found.size()));
    // One created it, the others found it made.
    EXPECT_EQ(found, (std::vector<int>{0, k_schema_version, k_schema_version, k_schema_version}));
    EXPECT_EQ(rows(db, "SELECT COUNT(*) FROM mlosbench_schema"), std::vector<std::string>{"1"});
}

TEST(PostgresStorage, LeavesADatabaseThatIsNotOursAsItWas)
{
    const std::string db = server().create_database();
    server().exec(db, "CREATE TABLE experiment (id INTEGER)");
    try {
        (void)open_postgres_storage(target_of(db));
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  server().url(db) + ": not an mlosbench or mlos_bench storage database (table "
                                     "'experiment' has no column 'exp_id'): left as it was");
    }
    EXPECT_EQ(rows(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
                       "'public'"),
              std::vector<std::string>{"1"});
    // Nor are other applications' tables in a shared database touched, even by delete.
    const std::string shared = server().create_database();
    server().exec(shared, "CREATE TABLE notes (exp_id TEXT)");
    server().exec(shared, "INSERT INTO notes VALUES ('e')");
    auto storage = open_postgres_storage(target_of(shared));
    TunableGroups tunables;
    ExperimentSpec spec;
    spec.experiment_id = "e";
    storage->open_experiment(spec, tunables)->finish(Status::succeeded, now());
    (void)storage->delete_experiment("e", false);
    EXPECT_EQ(rows(shared, "SELECT exp_id FROM notes"), std::vector<std::string>{"e"});
}

TEST(PostgresStorage, RefusesASchemaOfANewerMlosbench)
{
    const std::string db = server().create_database();
    (void)create_update_postgres_schema(target_of(db));
    server().exec(db, "UPDATE mlosbench_schema SET version = 99");
    try {
        (void)open_postgres_storage(target_of(db));
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  server().url(db) +
                      ": storage schema version 99 is newer than this mlosbench supports (" +
                      std::to_string(k_schema_version) + "): upgrade mlosbench");
    }
}

TEST(PostgresStorage, AReaderNeedsOurTablesAndWritesNothing)
{
    const std::string db = server().create_database();
    try {
        (void)open_postgres_reader(target_of(db));
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  server().url(db) +
                      ": not an mlosbench or mlos_bench storage database (it has none of their "
                      "tables)");
    }
    (void)create_update_postgres_schema(target_of(db));
    const auto reader = open_postgres_reader(target_of(db));
    EXPECT_TRUE(reader->experiments().empty());
    EXPECT_FALSE(reader->has_experiment("e"));
}

TEST(PostgresStorage, ConnectsWithThePasswordOfTheUrlOfPgpassOrOfPgpassword)
{
    const std::string db = server().create_database();
    PostgresTarget without = parse_postgres_url(server().url(db), "test");
    EXPECT_EQ(without.display(), server().url(db));
    // No password anywhere: the server asks for one and the error names the database.
    ::unsetenv("PGPASSWORD");
    const testing::TempDir home;
    ::setenv("PGPASSFILE", (home.path() / "pgpass").c_str(), 1);
    try {
        (void)open_postgres_storage(without);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.rfind("cannot open storage " + server().url(db) + ": ", 0), 0U)
            << message;
        EXPECT_NE(message.find("password"), std::string::npos) << message;
    }
    // ~/.pgpass (here PGPASSFILE), as libpq reads it.
    const auto pgpass = home.write(
        "pgpass", PostgresServer::host() + ":" + std::to_string(server().port()) +
                      ":*:" + PostgresServer::user() + ":" + PostgresServer::password() + "\n");
    ::chmod(pgpass.c_str(), 0600);
    EXPECT_EQ(open_postgres_storage(without)->location(), server().url(db));
    ::unsetenv("PGPASSFILE");
    // PGPASSWORD.
    ::setenv("PGPASSWORD", PostgresServer::password().c_str(), 1);
    EXPECT_EQ(open_postgres_storage(without)->location(), server().url(db));
    ::unsetenv("PGPASSWORD");
    // In the URL: shown nowhere.
    const auto storage = open_postgres_storage(target_of(db));
    EXPECT_EQ(storage->location(), server().url(db));
}

TEST(PostgresStorage, TlsAsTheUrlsSslmodeAsks)
{
    PostgresServer tls(PostgresServer::Transport::tls_only);
    const std::string db = tls.create_database();
    std::string ca = tls.certificate().string();
    for (std::size_t at = 0; (at = ca.find('/', at)) != std::string::npos; at += 3) {
        ca.replace(at, 1, "%2F");
    }
    // verify-full: encrypted, the certificate checked against its CA and for 127.0.0.1.
    const std::string url = tls.url_with_password(db) + "?sslmode=verify-full&sslrootcert=" + ca;
    {
        const auto storage = open_storage(storage_spec_from_location(url, "--storage"));
        EXPECT_EQ(storage->location().rfind(tls.url(db) + "?", 0), 0U) << storage->location();
        EXPECT_EQ(storage->location().find(PostgresServer::password()), std::string::npos);
        // The storage's session is the one encrypted connection to this database.
        EXPECT_EQ(tls.rows(db, "SELECT COUNT(*) FROM pg_stat_ssl s JOIN pg_stat_activity a "
                               "USING (pid) WHERE s.ssl AND a.datname = '" + db + "'"),
                  std::vector<std::string>{"1"});
    }
    // Without TLS the server refuses, and the error says so, naming the database.
    try {
        (void)open_storage(
            storage_spec_from_location(tls.url_with_password(db) + "?sslmode=disable", "x"));
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(tls.url(db)), std::string::npos) << message;
        EXPECT_NE(message.find("no encryption"), std::string::npos) << message;
        EXPECT_EQ(message.find(PostgresServer::password()), std::string::npos) << message;
    }
    // verify-full against a CA that did not sign the server's certificate: refused.
    const testing::TempDir other;
    ProcessOptions openssl;
    openssl.argv = {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                    "2", "-subj", "/CN=127.0.0.1", "-keyout", (other.path() / "ca.key").string(),
                    "-out", (other.path() / "ca.crt").string()};
    openssl.env = current_environment();
    openssl.timeout_seconds = 60;
    ASSERT_EQ(run_process(openssl).exit_code, 0);
    try {
        (void)open_storage(storage_spec_from_location(
            tls.url_with_password(db) + "?sslmode=verify-full&sslrootcert=" +
                (other.path() / "ca.crt").string(),
            "x"));
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos)
            << e.what();
    }
}

TEST(PostgresTarget, ParsesUrlsAndNeverShowsThePassword)
{
    const auto target = parse_postgres_url(
        "postgresql://ann:s%40cret@db.example.com:6543/bench?sslmode=verify-full&"
        "sslrootcert=/etc/ca.pem",
        "--storage");
    EXPECT_EQ(target.option("user"), "ann");
    EXPECT_EQ(target.option("password"), "s@cret");
    EXPECT_EQ(target.option("host"), "db.example.com");
    EXPECT_EQ(target.option("port"), "6543");
    EXPECT_EQ(target.option("dbname"), "bench");
    EXPECT_EQ(target.option("sslmode"), "verify-full");
    EXPECT_EQ(target.display(), "postgresql://ann@db.example.com:6543/"
                                "bench?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem");
    // A socket directory goes in the query; display() reads back as the same target.
    const auto socket = parse_postgres_url("postgres:///bench?host=/run/postgresql", "x");
    EXPECT_EQ(socket.display(), "postgresql:///bench?host=%2Frun%2Fpostgresql");
    EXPECT_EQ(parse_postgres_url(socket.display(), "x").option("host"), "/run/postgresql");
    try {
        (void)parse_postgres_url("postgresql://ann:hunter2@h/db?nosuchoption=1", "--storage");
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        const std::string message = e.what();
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
        EXPECT_EQ(message.rfind("--storage: cannot read PostgreSQL URL "
                                "'postgresql://ann:******@h/db?nosuchoption=1': ",
                                0),
                  0U)
            << message;
    }
}

TEST(PostgresTarget, ComesFromAStorageConfigOrAUrl)
{
    const Json config = {{"drivername", "postgresql+psycopg2"},
                         {"host", "db.example.com"},
                         {"port", 5433},
                         {"database", "bench"},
                         {"username", "ann"},
                         {"password", "hunter2"}};
    const StorageSpec spec = storage_spec_from_config(config, "storage/pg.jsonc", "/cfg", {});
    EXPECT_EQ(spec.location(), "postgresql://ann@db.example.com:5433/bench");
    const PostgresTarget target = postgres_target(spec);
    EXPECT_EQ(target.option("password"), "hunter2");
    EXPECT_EQ(target.option("dbname"), "bench");

    EXPECT_TRUE(is_storage_location("postgresql://ann@h/db"));
    EXPECT_TRUE(is_storage_location("x.sqlite3"));
    EXPECT_FALSE(is_storage_location("storage/pg.jsonc"));
    const StorageSpec url =
        storage_spec_from_location("postgresql://ann:hunter2@h:1/db?sslmode=require", "--storage");
    EXPECT_EQ(url.drivername, "postgresql");
    EXPECT_EQ(url.password, "hunter2");
    EXPECT_EQ(url.location(), "postgresql://ann@h:1/db?sslmode=require");

    const Json unknown = {{"drivername", "mysql"}, {"database", "x"}};
    try {
        (void)storage_spec_from_config(unknown, "storage/my.jsonc", "/cfg", {});
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "storage/my.jsonc: /config/drivername: storage driver "
                                         "'mysql' is not supported by mlosbench");
    }
}

} // namespace
} // namespace mlosbench
