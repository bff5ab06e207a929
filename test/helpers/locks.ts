// A row lock held from another session, for the tests of writes that meet one.
import type postgres from 'postgres';

/**
 * Locks `company`'s row (`FOR UPDATE`) in a transaction of `client`'s, and resolves once it is
 * held; `release()` commits it.
 */
export async function holdCompanyLock(
  client: postgres.Sql,
  company: string,
): Promise<{ release(): Promise<void> }> {
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holding = client.begin(async (tx) => {
    await tx`select 1 from companies where company_id = ${company} for update`;
    locked();
    await held;
  });
  await Promise.race([isLocked, holding]);
  return {
    release: async () => {
      release();
      await holding;
    },
  };
}
