/**
 * A refusal the emulator answers with: an Aliyun code, its message and the HTTP status the real service
 * uses. Business codes (`isv.*`, `isp.*`) travel with HTTP 200; gateway codes with 4xx/5xx.
 */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

/** `Missing{Name}` as the gateway words it. */
export const missing = (name: string) =>
  new ApiFailure(`Missing${name}`, `${name} is mandatory for this action.`, 400);

/** Business-rule refusals (HTTP 200). */
export const refuse = (code: string, message = code) => new ApiFailure(code, message, 200);
