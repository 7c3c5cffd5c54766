import type { z } from 'zod';

/**
 * One API action: how its input is validated, how it travels, and how its answer is decoded.
 *
 * `effect` drives the retry policy: a `read` may be retried whenever it failed; a `write` only when it
 * surely did not reach the service.
 */
export interface Operation<InputSchema extends z.ZodType, Output> {
  readonly action: string;
  readonly effect: 'read' | 'write';
  /** Validates and normalises the caller's input (camelCase fields). */
  readonly input: InputSchema;
  /** Maps validated input to wire parameters (PascalCase names, string values). */
  toWire(input: z.output<InputSchema>): Record<string, string>;
  /** Validates the decoded JSON body of a successful (`Code: OK`) answer and maps it to camelCase. */
  readonly output: z.ZodType<Output>;
}

/** Any operation, for registries. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds operations of every input and output type.
export type AnyOperation = Operation<z.ZodType, any>;

/** What a caller passes to an operation (before validation and defaults). */
export type OperationInput<Op extends AnyOperation> = z.input<Op['input']>;
/** What an operation resolves to. */
export type OperationOutput<Op extends AnyOperation> = Op extends Operation<z.ZodType, infer O> ? O : never;

/** Builds an operation; exists so each operation file reads as a declaration with checked types. */
export function defineOperation<InputSchema extends z.ZodType, Output>(
  operation: Operation<InputSchema, Output>,
): Operation<InputSchema, Output> {
  return operation;
}
