// What the test suite needs outside Node: PostgreSQL on 127.0.0.1:5432 with a database `test`, Redis on
// 127.0.0.1:6379, Chromium at /usr/bin/chromium and the test model stories260K.gguf. Each is checked for real
// (pg_isready and a query on `test`, a Redis PING, `chromium --version`, the file) and started, created or
// installed when it is not there; what cannot be fixed from here stops the run at once with one line naming
// what to install, start or put where. Called by run-tests.mjs and .ci/run; runnable alone:
//   node scripts/ensure-services.mjs
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HOST = "127.0.0.1";
const POSTGRES_PORT = 5432;
const REDIS_PORT = 6379;
const START_TIMEOUT_MS = 30_000;
const POSTGRES_DATABASE = "test";
const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";
// The same path test/support/test-gguf.ts reads.
const REPOSITORY_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TEST_GGUF = process.env.WEFT_TEST_GGUF ? resolve(process.env.WEFT_TEST_GGUF) : resolve(REPOSITORY_ROOT, "../shared/models/stories260K.gguf");

/** A problem the suite cannot run with; its message is the one line the user sees. */
export class MissingService extends Error {}

const isRoot = () => process.getuid?.() === 0;

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** Run a command to completion; throws MissingService naming `what` when it fails. */
function run(command, args, what) {
  const result = spawnSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) {
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}${result.error?.message ?? ""}`.trim().split("\n").at(-1);
    throw new MissingService(`${what} failed (${command} ${args.join(" ")}): ${output || `exit ${result.status}`}`);
  }
}

async function waitFor(check, what) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new MissingService(`${what} was started but did not answer within ${START_TIMEOUT_MS / 1000} s.`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function postgresAnswers() {
  return spawnSync("pg_isready", ["-q", "-h", HOST, "-p", String(POSTGRES_PORT)], { stdio: "ignore" }).status === 0;
}

/** A real Redis round trip: PING over TCP, answered by +PONG. */
function redisAnswers() {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port: REDIS_PORT });
    let reply = "";
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      reply += data.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

/** The tests connect as postgres@127.0.0.1:5432/test (trust auth); a server without that database gets it. */
function ensureTestDatabase() {
  const query = spawnSync("psql", ["-h", HOST, "-p", String(POSTGRES_PORT), "-U", "postgres", "-d", POSTGRES_DATABASE, "-tAc", "select 1"], { encoding: "utf8" });
  if (query.status === 0) return "";
  const reason = `${query.stderr ?? ""}`.trim().split("\n").at(-1) ?? "";
  if (!/does not exist/.test(reason)) {
    throw new MissingService(`PostgreSQL answers, but postgres@${HOST}:${POSTGRES_PORT}/${POSTGRES_DATABASE} refuses a query (${reason}); the tests need trust auth for the postgres user.`);
  }
  run("createdb", ["-h", HOST, "-p", String(POSTGRES_PORT), "-U", "postgres", POSTGRES_DATABASE], `Creating the database ${POSTGRES_DATABASE}`);
  return `, database ${POSTGRES_DATABASE} created`;
}

async function ensurePostgres() {
  if (!onPath("pg_isready") || !onPath("psql")) {
    throw new MissingService("PostgreSQL is not installed: apt-get install -y postgresql, then start it on 127.0.0.1:5432.");
  }
  if (postgresAnswers()) return `already running${ensureTestDatabase()}`;
  if (!onPath("pg_ctlcluster") || !isRoot()) {
    throw new MissingService(`PostgreSQL does not answer on ${HOST}:${POSTGRES_PORT}; start it (as root: pg_ctlcluster --skip-systemctl-redirect <version> main start).`);
  }
  const versions = readdirSync("/etc/postgresql");
  if (versions.length === 0) throw new MissingService("PostgreSQL has no cluster in /etc/postgresql: apt-get install -y postgresql.");
  run("pg_ctlcluster", ["--skip-systemctl-redirect", versions[0], "main", "start"], `Starting PostgreSQL ${versions[0]}`);
  await waitFor(postgresAnswers, `PostgreSQL ${versions[0]} on ${HOST}:${POSTGRES_PORT}`);
  return `started (cluster ${versions[0]}/main)${ensureTestDatabase()}`;
}

async function ensureRedis() {
  if (await redisAnswers()) return "already running";
  if (!onPath("redis-server")) throw new MissingService(`Redis does not answer on ${HOST}:${REDIS_PORT} and redis-server is not installed: apt-get install -y redis-server.`);
  if (!isRoot()) throw new MissingService(`Redis does not answer on ${HOST}:${REDIS_PORT}; start it (redis-server --bind 127.0.0.1 --port ${REDIS_PORT}).`);
  run("mkdir", ["-p", "/var/lib/redis", "/var/log/redis"], "Creating Redis's folders");
  run(
    "redis-server",
    ["--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", String(REDIS_PORT), "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"],
    "Starting Redis",
  );
  await waitFor(redisAnswers, `Redis on ${HOST}:${REDIS_PORT}`);
  return "started";
}

function chromiumVersion() {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    return undefined;
  }
  const result = spawnSync(CHROMIUM, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

async function ensureChromium() {
  const version = chromiumVersion();
  if (version !== undefined) return version;
  if (CHROMIUM !== "/usr/bin/chromium" || !isRoot() || !onPath("apt-get")) {
    throw new MissingService(`Chromium does not run from ${CHROMIUM}; install it (apt-get install -y chromium) or set WEFT_CHROMIUM to a Chromium binary.`);
  }
  console.log("ensure-services: installing chromium with apt-get (a minute or two) ...");
  run("apt-get", ["update", "-qq"], "apt-get update");
  const install = spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (install.status !== 0) throw new MissingService(`apt-get install chromium failed: ${install.stderr.trim().split("\n").at(-1)}`);
  const installed = chromiumVersion();
  if (installed === undefined) throw new MissingService(`apt-get installed chromium, but ${CHROMIUM} --version does not run.`);
  return `${installed} (installed)`;
}

/** The llama.cpp tests run a real 1.2 MB GGUF model, which is data beside the repository, not a package. */
function ensureTestModel() {
  if (existsSync(TEST_GGUF)) return;
  throw new MissingService(`The test model is missing: no file at ${TEST_GGUF}; put stories260K.gguf there (../shared/models/ beside the repository) or set WEFT_TEST_GGUF to its path.`);
}

/** Check, start or install each service; throws MissingService on the first that cannot be had. */
export async function ensureServices() {
  ensureTestModel();
  const postgres = await ensurePostgres();
  const redis = await ensureRedis();
  const chromium = await ensureChromium();
  console.log(`ensure-services: PostgreSQL ${postgres}; Redis ${redis}; ${chromium}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    await ensureServices();
  } catch (error) {
    if (!(error instanceof MissingService)) throw error;
    console.error(`ensure-services: ${error.message}`);
    process.exit(1);
  }
}
