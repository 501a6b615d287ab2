import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';

/** Staging's database credentials, as RDS-managed secrets hold them: `{"username": ..., "password": ...}`. */
export interface DbCredentials {
  username: string;
  password: string;
}

const credentialsSchema = z.object({
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(8)),
});

/** Reads and checks the credentials secret; errors name the secret and the problem, never its content. */
export function credentialsReader(client: SecretsManagerClient, secretId: string): () => Promise<DbCredentials> {
  return async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    let parsed: unknown;
    try {
      parsed = JSON.parse(out.SecretString ?? '');
    } catch {
      throw new Error(`Secret ${secretId} is not JSON {"username": ..., "password": ...}`);
    }
    const checked = credentialsSchema.safeParse(parsed);
    if (!checked.success) {
      const field = checked.error.issues[0]?.path.join('.') ?? '(root)';
      throw new Error(`Secret ${secretId} lacks a usable "${field}" (needs username and a password of 8+ characters)`);
    }
    return checked.data;
  };
}
