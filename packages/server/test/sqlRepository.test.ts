import { MissingPackageError, openSqlRepository } from '@troupe/server';
import { describe, expect, it } from 'vitest';

describe('openSqlRepository', () => {
  it('should name the package to install when @troupe/sql is missing, with the password masked', async () => {
    const missing = async () => {
      throw Object.assign(new Error("Cannot find package '@troupe/sql'"), { code: 'ERR_MODULE_NOT_FOUND' });
    };
    const err = await openSqlRepository('postgres://app:s3cret@db:5432/x', missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPackageError);
    expect(err).toMatchObject({ code: 'MISSING_PACKAGE', packageName: '@troupe/sql' });
    expect((err as Error).message).toContain('postgres://app:***@db:5432/x');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('should refuse URLs of other schemes, and hand supported ones to createSqlStore', async () => {
    await expect(openSqlRepository('sqlite:///x.db')).rejects.toMatchObject({ code: 'VALIDATION' });
    const seen: string[] = [];
    const repo = await openSqlRepository('mariadb://root@127.0.0.1:3306/test', async () => ({
      createSqlStore: async (url: string) => {
        seen.push(url);
        return { close: async () => {} };
      },
    }));
    expect(seen).toEqual(['mariadb://root@127.0.0.1:3306/test']);
    await repo.close();
  });
});
