// weft/checkpoint/postgres: threads in PostgreSQL (needs the optional pg package).
export { PostgresSaver, type PostgresSaverOptions } from "./postgres-saver.js";
