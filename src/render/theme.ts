import { Chalk, type ChalkInstance } from "chalk";

/** The only place chalk is constructed. Level 0 in tests and when colour is off. */
export type Theme = ChalkInstance;

export function createTheme(color: boolean): Theme {
  return new Chalk({ level: color ? 1 : 0 });
}
