import { AxnError, CREDENTIAL_ENV } from '@axnbot/core';

/**
 * Checks that the environment holds an AccessKey before a client is made, so a missing one is reported in
 * the terms a person at a shell acts on — which variables to export — rather than the SDK's
 * ("pass credentials.accessKeyId"). Throws a `local.CONFIG` {@link AxnError}; never echoes a value.
 */
export function requireCredentials(env: NodeJS.ProcessEnv): void {
  const missing = [CREDENTIAL_ENV.accessKeyId, CREDENTIAL_ENV.accessKeySecret].filter((name) => !env[name]);
  if (missing.length === 0) return;
  throw new AxnError({
    code: 'local.CONFIG',
    message:
      `No Alibaba Cloud AccessKey: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set. ` +
      `Set ${CREDENTIAL_ENV.accessKeyId} and ${CREDENTIAL_ENV.accessKeySecret} in the environment ` +
      `(and ${CREDENTIAL_ENV.securityToken} for STS credentials); the local emulator accepts testid / testsecret.`,
  });
}
