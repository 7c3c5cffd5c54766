import { AxnError } from '../errors/axn-error.js';

/** An Alibaba Cloud AccessKey, optionally with an STS security token. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** The environment variables credentials are read from, as the official SDKs name them. */
export const CREDENTIAL_ENV = {
  accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
  accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  securityToken: 'ALIBABA_CLOUD_SECURITY_TOKEN',
} as const;

/**
 * Uses the given credentials, or reads them from the environment. A missing id or secret is a
 * `local.CONFIG` error that names the variable — and never echoes any value.
 */
export function resolveCredentials(
  given: Partial<Credentials> | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Credentials {
  const accessKeyId = given?.accessKeyId ?? env[CREDENTIAL_ENV.accessKeyId];
  const accessKeySecret = given?.accessKeySecret ?? env[CREDENTIAL_ENV.accessKeySecret];
  const securityToken = given?.securityToken ?? (env[CREDENTIAL_ENV.securityToken] || undefined);
  if (!accessKeyId) {
    throw new AxnError({
      code: 'local.CONFIG',
      message: `No AccessKey ID: pass credentials.accessKeyId or set ${CREDENTIAL_ENV.accessKeyId}.`,
    });
  }
  if (!accessKeySecret) {
    throw new AxnError({
      code: 'local.CONFIG',
      message: `No AccessKey secret: pass credentials.accessKeySecret or set ${CREDENTIAL_ENV.accessKeySecret}.`,
    });
  }
  return { accessKeyId, accessKeySecret, securityToken };
}
