import { ApiFailure } from './api-failure.js';

/** A request's parameters: query string and form body merged, each name once. */
export type Params = Record<string, string>;

/**
 * Merges the query string and an `application/x-www-form-urlencoded` body into one parameter set, as
 * the gateway signs and reads them. A name given twice is refused: which value to sign would be a guess.
 * Bodies of other content types carry no parameters (dyplsapi sends everything in the query or a form).
 */
export function readParams(rawQuery: string, contentType: string | undefined, body: string): Params {
  const params: Params = Object.create(null);
  const add = (source: string) => {
    for (const [name, value] of new URLSearchParams(source)) {
      if (name in params) {
        throw new ApiFailure(
          'InvalidParameter',
          `The parameter ${truncate(name)} is given more than once.`,
          400,
        );
      }
      params[name] = value;
    }
  };
  add(rawQuery);
  if (body && contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) add(body);
  return params;
}

/** Shortens attacker-sized text before it is echoed in a message. */
export function truncate(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
