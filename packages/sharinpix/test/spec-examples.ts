// The spec's own examples, read from specs/sharinpix/openapi.yaml so the tests and the mock share one source.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { StartImportParams, Import } from "@importkit/sharinpix";

interface Example<T = unknown> {
  value: T;
  "x-serializedValue"?: string;
}
interface MediaType {
  examples?: Record<string, { $ref: string }>;
}

const spec = parse(readFileSync(new URL("../../../specs/sharinpix/openapi.yaml", import.meta.url), "utf8")) as {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, MediaType> }; responses: Record<string, { content?: Record<string, MediaType> }> }>>;
  components: { examples: Record<string, Example> };
};

function resolve(ref: string): Example {
  const name = ref.replace("#/components/examples/", "");
  const example = spec.components.examples[name];
  if (!example) throw new Error(`No example ${ref} in the spec`);
  return example;
}

function examplesOf(media: MediaType | undefined): Record<string, Example> {
  return Object.fromEntries(Object.entries(media?.examples ?? {}).map(([name, { $ref }]) => [name, resolve($ref)]));
}

const create = spec.paths["/imports"]!.post!;
const get = spec.paths["/imports/{id}"]!.get!;

/** createImport's form-encoded request examples, by name (each with `x-serializedValue`). */
export const formRequestExamples = examplesOf(create.requestBody!.content["application/x-www-form-urlencoded"]) as Record<string, Example<StartImportParams>>;
export const jsonRequestExamples = examplesOf(create.requestBody!.content["application/json"]) as Record<string, Example<StartImportParams>>;
/** createImport's 200 examples; a request example and its answer share the name. */
export const createdExamples = examplesOf(create.responses["200"]!.content!["application/json"]) as Record<string, Example<Import>>;
export const getImportExamples = examplesOf(get.responses["200"]!.content!["application/json"]) as Record<string, Example<Import>>;
