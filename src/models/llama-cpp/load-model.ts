// Loads node-llama-cpp lazily (it is an optional peer dependency) and shares loaded models: every
// ChatLlamaCpp with the same model path uses one LlamaModel, loaded once per process.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { WeftError, describeError } from "../../errors.js";

export type NodeLlamaCpp = typeof import("node-llama-cpp");

/** How the package is imported; replaced in tests to simulate a missing install. */
export type ModuleImporter = () => Promise<NodeLlamaCpp>;

const importNodeLlamaCpp: ModuleImporter = () => import("node-llama-cpp");

let llamaPromise: Promise<{ module: NodeLlamaCpp; llama: Llama }> | undefined;
const modelPromises = new Map<string, Promise<LlamaModel>>();

/** Import node-llama-cpp, or throw MISSING_DEPENDENCY saying how to install it. */
export async function loadNodeLlamaCpp(importer: ModuleImporter = importNodeLlamaCpp): Promise<NodeLlamaCpp> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Only the package itself missing means "not installed"; a missing file inside it is a broken install.
    if ((code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && /['"]node-llama-cpp['"]/.test(describeError(error))) {
      throw new WeftError(
        "MISSING_DEPENDENCY",
        "ChatLlamaCpp needs the optional package node-llama-cpp, which is not installed. Run `npm install node-llama-cpp` (version 3) and try again.",
        { cause: error },
      );
    }
    throw new WeftError("MISSING_DEPENDENCY", `node-llama-cpp is installed but failed to load: ${describeError(error)}`, { cause: error });
  }
}

/**
 * The process-wide llama.cpp runtime: CPU only and never built from source, so nothing is
 * downloaded or compiled at run time (node-llama-cpp ships prebuilt binaries for common platforms).
 */
export function getSharedLlama(): Promise<{ module: NodeLlamaCpp; llama: Llama }> {
  llamaPromise ??= (async () => {
    const module = await loadNodeLlamaCpp();
    try {
      const llama = await module.getLlama({ gpu: false, build: "never", logLevel: module.LlamaLogLevel.error });
      return { module, llama };
    } catch (error) {
      throw new WeftError(
        "MISSING_DEPENDENCY",
        `node-llama-cpp has no prebuilt llama.cpp binary for this machine (${process.platform}-${process.arch}): ${describeError(error)}. ` +
          "Reinstall node-llama-cpp so its platform package is installed, or build it with `npx --no node-llama-cpp source download`.",
        { cause: error },
      );
    }
  })();
  llamaPromise.catch(() => (llamaPromise = undefined));
  return llamaPromise;
}

/** The absolute path of `modelPath`, or MODEL_NOT_FOUND saying where it looked and what to do. */
export function resolveModelFile(modelPath: string): string {
  const absolute = resolve(modelPath);
  let isFile = false;
  try {
    isFile = statSync(absolute).isFile();
  } catch {
    isFile = false;
  }
  if (!isFile) {
    throw new WeftError(
      "MODEL_NOT_FOUND",
      `No GGUF model file at ${absolute} (modelPath ${JSON.stringify(modelPath)}, resolved from ${process.cwd()}). ` +
        "Check the path, or download a .gguf model (for example a small instruct model from Hugging Face) and pass its path as `modelPath`.",
      { details: { modelPath, resolvedPath: absolute } },
    );
  }
  return absolute;
}

/** The loaded model at `absolutePath`, shared by every caller; a failed load is retried next time. */
export function getSharedModel(absolutePath: string): Promise<LlamaModel> {
  let promise = modelPromises.get(absolutePath);
  if (promise === undefined) {
    promise = (async () => {
      const { llama } = await getSharedLlama();
      try {
        return await llama.loadModel({ modelPath: absolutePath });
      } catch (error) {
        throw new WeftError("MODEL_CALL", `llama.cpp could not load ${absolutePath}: ${describeError(error)}. Is it a valid GGUF file?`, {
          cause: error,
          details: { modelPath: absolutePath },
        });
      }
    })();
    modelPromises.set(absolutePath, promise);
    promise.catch(() => modelPromises.delete(absolutePath));
  }
  return promise;
}
