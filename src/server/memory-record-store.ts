// Records in this process only: for tests and for embedding where nothing must outlive the process.
// Nothing is ever dropped except by prune() (the retention settings).
import {
  type AssistantQuery,
  type AssistantRow,
  FINISHED_RUN_STATUSES,
  compareAssistants,
  matchesAssistantQuery,
  compareThreads,
  type PruneBefore,
  type RecordStore,
  type RowChange,
  type RunQuery,
  type RunRow,
  type ThreadQuery,
  type ThreadRow,
  matchesRunQuery,
  matchesThreadQuery,
} from "./record-store.js";

/**
 * A RecordStore in memory.
 *
 * @example
 * const handler = createHandler({ graphs: { agent }, store: new MemoryRecordStore() });
 */
export class MemoryRecordStore implements RecordStore {
  private readonly threads = new Map<string, ThreadRow>();
  private readonly runs = new Map<string, RunRow>();
  private readonly assistants = new Map<string, AssistantRow>();

  async setup(): Promise<void> {}

  async insertThread(row: ThreadRow): Promise<boolean> {
    if (this.threads.has(row.thread.thread_id)) return false;
    this.threads.set(row.thread.thread_id, structuredClone(row));
    return true;
  }

  async getThread(threadId: string): Promise<ThreadRow | undefined> {
    const row = this.threads.get(threadId);
    return row === undefined ? undefined : structuredClone(row);
  }

  async updateThread(threadId: string, change: RowChange<ThreadRow>): Promise<ThreadRow | undefined> {
    const row = this.threads.get(threadId);
    if (row === undefined) return undefined;
    const next = change(structuredClone(row));
    if (next === undefined) return undefined;
    this.threads.set(threadId, structuredClone(next));
    return next;
  }

  async deleteThread(threadId: string): Promise<boolean> {
    for (const [runId, run] of this.runs) if (run.run.thread_id === threadId) this.runs.delete(runId);
    return this.threads.delete(threadId);
  }

  async insertAssistant(row: AssistantRow): Promise<boolean> {
    if (this.assistants.has(row.assistant.assistant_id)) return false;
    this.assistants.set(row.assistant.assistant_id, structuredClone(row));
    return true;
  }

  async getAssistant(assistantId: string): Promise<AssistantRow | undefined> {
    const row = this.assistants.get(assistantId);
    return row === undefined ? undefined : structuredClone(row);
  }

  async updateAssistant(assistantId: string, change: RowChange<AssistantRow>): Promise<AssistantRow | undefined> {
    const row = this.assistants.get(assistantId);
    if (row === undefined) return undefined;
    const next = change(structuredClone(row));
    if (next === undefined) return undefined;
    this.assistants.set(assistantId, structuredClone(next));
    return next;
  }

  async deleteAssistant(assistantId: string): Promise<boolean> {
    return this.assistants.delete(assistantId);
  }

  async searchAssistants(query: AssistantQuery): Promise<AssistantRow[]> {
    return [...this.assistants.values()]
      .filter((row) => matchesAssistantQuery(row, query))
      .sort(compareAssistants)
      .slice(query.offset, query.offset + query.limit)
      .map((row) => structuredClone(row));
  }

  async searchThreads(query: ThreadQuery): Promise<ThreadRow[]> {
    return [...this.threads.values()]
      .filter((row) => matchesThreadQuery(row, query))
      .sort(compareThreads(query))
      .slice(query.offset, query.offset + query.limit)
      .map((row) => structuredClone(row));
  }

  async insertRun(row: RunRow): Promise<void> {
    this.runs.set(row.run.run_id, structuredClone(row));
  }

  async getRun(runId: string): Promise<RunRow | undefined> {
    const row = this.runs.get(runId);
    return row === undefined ? undefined : structuredClone(row);
  }

  async updateRun(runId: string, change: RowChange<RunRow>): Promise<RunRow | undefined> {
    const row = this.runs.get(runId);
    if (row === undefined) return undefined;
    const next = change(structuredClone(row));
    if (next === undefined) return undefined;
    this.runs.set(runId, structuredClone(next));
    return next;
  }

  async listRuns(query: RunQuery): Promise<RunRow[]> {
    // Map order is insertion order: oldest first.
    return [...this.runs.values()]
      .filter((row) => matchesRunQuery(row, query))
      .slice(query.offset, query.offset + query.limit)
      .map((row) => structuredClone(row));
  }

  async deleteRun(runId: string): Promise<boolean> {
    return this.runs.delete(runId);
  }

  async prune(before: PruneBefore): Promise<{ runs: number; threads: number }> {
    let runs = 0;
    let threads = 0;
    if (before.finishedRuns !== undefined) {
      for (const [runId, row] of this.runs) {
        if (FINISHED_RUN_STATUSES.includes(row.run.status) && Date.parse(row.run.updated_at) < before.finishedRuns) {
          this.runs.delete(runId);
          runs++;
        }
      }
    }
    if (before.threads !== undefined) {
      for (const [threadId, row] of this.threads) {
        if (row.currentRunId === null && Date.parse(row.thread.updated_at) < before.threads) {
          await this.deleteThread(threadId);
          threads++;
        }
      }
    }
    return { runs, threads };
  }

  async close(): Promise<void> {}
}
