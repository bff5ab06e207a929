// A query past its request's deadline is answered DEADLINE_EXCEEDED then, whatever it still waits
// on (a pool connection, a slow statement); the work left over ends by itself within the
// statement timeout, which is below the deadline. A mutation is not cut short: its answer must say
// what became of its write, so it ends with its transaction, which the deadline rolls back before
// commit (context.ts) and the lock and statement timeouts end in time.
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { DeadlineExceeded } from '../errors.js';

type ExecuteFn = Parameters<NonNullable<Plugin['onExecute']>>[0]['executeFn'];

export function useDeadline(): Plugin<Context> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      const execute: ExecuteFn = (executeArgs) => {
        const { deadlineAt } = executeArgs.contextValue as Context;
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new DeadlineExceeded()), deadlineAt - Date.now());
        });
        return Promise.race([executeFn(executeArgs), late]).finally(() => clearTimeout(timer));
      };
      setExecuteFn(execute);
    },
  };
}
