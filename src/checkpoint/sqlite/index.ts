// weft/checkpoint/sqlite: threads in a SQLite file (needs the optional better-sqlite3 package).
export { SqliteSaver } from "./sqlite-saver.js";
