/** Options shared by runs, nodes and model calls. */
export interface RunnableConfig {
  tags?: string[];
  metadata?: Record<string, unknown>;
  configurable?: Record<string, unknown>;
  signal?: AbortSignal;
}
