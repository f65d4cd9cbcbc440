// The channel contract: how one state key takes the updates written to it in a superstep.

/** One state key's storage. `update` gets every value written to the key in one step, in order. */
export interface Channel<Value = unknown, Update = Value> {
  /** Apply this step's writes; true when the value changed. */
  update(values: readonly Update[]): boolean;
  /** The current value (undefined while a last-value channel is empty). */
  get(): Value;
  /** True once the channel holds a value. */
  isAvailable(): boolean;
  /** A serializable copy of the value, for checkpoints. */
  checkpoint(): unknown;
  /** Replace the value with one taken from a checkpoint. */
  restore(saved: unknown): void;
}

/** How to make a channel for a state key: what a schema maps keys to. */
export interface ChannelSpec<Value = unknown, Update = Value> {
  readonly kind: string;
  create(key: string): Channel<Value, Update>;
  /** Type-only markers so schemas infer state and update types. */
  readonly __value?: Value;
  readonly __update?: Update;
}

export type StateSchema = Record<string, ChannelSpec<any, any>>;

/** The state type a schema describes. */
export type StateOf<Schema extends StateSchema> = {
  [Key in keyof Schema]: Schema[Key] extends ChannelSpec<infer Value, any> ? Value : never;
};

/** The update type a schema accepts: every key optional, reducer keys take their update type. */
export type UpdateOf<Schema extends StateSchema> = {
  [Key in keyof Schema]?: Schema[Key] extends ChannelSpec<any, infer Update> ? Update : never;
};
