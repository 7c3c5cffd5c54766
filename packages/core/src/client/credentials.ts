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

/**
 * Where a client gets its credentials before each request: static keys, or a chain that fetches and
 * refreshes temporary ones (STS). Implementations cache; the client asks before every try, so a token
 * refreshed in the meantime is used at once — never a restart.
 */
export interface CredentialsProvider {
  getCredentials(): Promise<Credentials>;
}

/** Whether a value is a {@link CredentialsProvider} rather than plain keys. */
export function isCredentialsProvider(value: unknown): value is CredentialsProvider {
  return typeof (value as CredentialsProvider | undefined)?.getCredentials === 'function';
}

/** A provider of fixed keys. */
export function staticCredentials(credentials: Credentials): CredentialsProvider {
  const fixed = { ...credentials };
  return { getCredentials: async () => fixed };
}

/** What Alibaba Cloud's default chain tries, in the words of its settings. */
export const CREDENTIAL_CHAIN_SOURCES = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS)',
  'OIDC for Kubernetes RRSA: ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE',
  'an aliyun CLI profile in ~/.aliyun/config.json (ALIBABA_CLOUD_PROFILE picks one; else the current one)',
  'a profile in ~/.alibabacloud/credentials (ALIBABA_CLOUD_CREDENTIALS_FILE)',
  'the ECS instance RAM role (ALIBABA_CLOUD_ECS_METADATA names it; ALIBABA_CLOUD_ECS_METADATA_DISABLED=true skips it)',
  'a credentials URI: ALIBABA_CLOUD_CREDENTIALS_URI',
] as const;

/**
 * Alibaba Cloud's default credential chain (the `@alicloud/credentials` package, loaded on first use):
 * environment keys, OIDC/RRSA, the aliyun CLI's profiles, the credentials file, the ECS RAM role, a
 * credentials URI — the first that answers wins and is kept; its temporary credentials are cached and
 * refreshed before they expire. The chain reads `process.env` and the home folder.
 *
 * A chain that finds nothing rejects with a `local.CONFIG` error listing what it tried, in the words of
 * the settings a user can change.
 */
export function defaultCredentialChain(): CredentialsProvider {
  let chain: Promise<{
    getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string }>;
  }>;
  return {
    async getCredentials() {
      chain ??= import('@alicloud/credentials').then(({ DefaultCredentialsProvider }) =>
        DefaultCredentialsProvider.builder().build(),
      );
      try {
        const found = await (await chain).getCredentials();
        return {
          accessKeyId: found.accessKeyId,
          accessKeySecret: found.accessKeySecret,
          securityToken: found.securityToken || undefined,
        };
      } catch (error) {
        throw new AxnError({
          code: 'local.CONFIG',
          message: `No Alibaba Cloud credentials found. Set one of: ${CREDENTIAL_CHAIN_SOURCES.join('; ')}.`,
          cause: error,
        });
      }
    },
  };
}
