export { store, storeShared } from "./dynamo.mjs";
