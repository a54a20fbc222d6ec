// `node --require @tokenledger/node/register app.js`: starts tokenledger before the app's own code,
// so the SDKs it requires afterwards are instrumented. (`--import` loads ../register.mjs instead,
// which also installs the ESM loader hook.)
import { startTokenledger } from './start';

startTokenledger();
