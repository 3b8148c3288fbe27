/** Any callable (service members, callbacks); arguments and results are checked at run time. */
export type AnyFunction = (...args: any[]) => unknown;
