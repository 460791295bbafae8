// Type declarations of Basalt's JS hooks API (pb_hooks/*.pb.js, pb_migrations/*.js), for
// editor completion. Written to pb_data/types.d.ts by `basalt serve`; reference it with
// `/// <reference path="../pb_data/types.d.ts" />`.

type HandlerFunc<T> = (e: T) => void;

interface RecordData { [field: string]: any }

declare class Record {
  constructor(collection: Collection | string, data?: RecordData);
  readonly id: string;
  collection(): Collection;
  tableName(): string;
  isNew(): boolean;
  get(field: string): any;
  set(field: string, value: any): void;
  setIfFieldExists(field: string, value: any): void;
  load(data: RecordData): void;
  getString(field: string): string;
  getInt(field: string): number;
  getFloat(field: string): number;
  getBool(field: string): boolean;
  getStringSlice(field: string): string[];
  getDateTime(field: string): string;
  email(): string;
  setEmail(email: string): void;
  verified(): boolean;
  setVerified(v: boolean): void;
  setPassword(password: string): void;
  hide(...fields: string[]): void;
  unhide(...fields: string[]): void;
  withCustomData(on: boolean): void;
  publicExport(): RecordData;
}

declare class Field { constructor(data?: { [key: string]: any }); [key: string]: any }
declare class TextField extends Field {}
declare class NumberField extends Field {}
declare class BoolField extends Field {}
declare class EmailField extends Field {}
declare class URLField extends Field {}
declare class EditorField extends Field {}
declare class DateField extends Field {}
declare class AutodateField extends Field {}
declare class SelectField extends Field {}
declare class FileField extends Field {}
declare class RelationField extends Field {}
declare class JSONField extends Field {}
declare class PasswordField extends Field {}
declare class GeoPointField extends Field {}

interface FieldsList extends Array<Field> {
  add(...fields: Field[]): void;
  getByName(name: string): Field | undefined;
  getById(id: string): Field | undefined;
  removeByName(name: string): void;
  removeById(id: string): void;
  fieldNames(): string[];
}

declare class Collection {
  constructor(data?: { [key: string]: any });
  id: string;
  name: string;
  type: "base" | "auth" | "view";
  system: boolean;
  fields: FieldsList;
  indexes: string[];
  listRule: string | null;
  viewRule: string | null;
  createRule: string | null;
  updateRule: string | null;
  deleteRule: string | null;
  [key: string]: any;
  isAuth(): boolean;
  isBase(): boolean;
  isView(): boolean;
}

declare class DynamicModel { constructor(shape?: { [key: string]: any }); [key: string]: any }

declare class ApiError extends Error {
  constructor(status: number, message?: string, data?: any);
  status: number;
  data: any;
}
declare class BadRequestError extends ApiError { constructor(message?: string, data?: any) }
declare class UnauthorizedError extends ApiError { constructor(message?: string, data?: any) }
declare class ForbiddenError extends ApiError { constructor(message?: string, data?: any) }
declare class NotFoundError extends ApiError { constructor(message?: string, data?: any) }
declare class TooManyRequestsError extends ApiError { constructor(message?: string, data?: any) }
declare class InternalServerError extends ApiError { constructor(message?: string, data?: any) }
declare class ValidationError extends Error { constructor(code: string, message: string) }

interface Query {
  bind(params: { [name: string]: any }): Query;
  execute(): { rowsAffected: number; lastInsertId: number };
  all(target?: any[]): any[];
  one(target?: any): any;
}

interface App {
  findRecordById(collection: string | Collection, id: string): Record;
  findFirstRecordByFilter(collection: string | Collection, filter: string, params?: { [name: string]: any }): Record;
  findRecordsByFilter(collection: string | Collection, filter: string, sort?: string, limit?: number, offset?: number, params?: { [name: string]: any }): Record[];
  findAllRecords(collection: string | Collection): Record[];
  countRecords(collection: string | Collection, filter?: string, params?: { [name: string]: any }): number;
  findCollectionByNameOrId(nameOrId: string): Collection;
  findAllCollections(): Collection[];
  importCollections(collections: any[], deleteMissing: boolean): void;
  save(model: Record | Collection): void;
  saveNoValidate(model: Record | Collection): void;
  delete(model: Record | Collection): void;
  runInTransaction(fn: (txApp: App) => void): void;
  settings(): { [key: string]: any };
  newMailClient(): MailClient;
  db(): { newQuery(sql: string): Query };
  logger(): { debug(msg: string, ...attrs: any[]): void; info(msg: string, ...attrs: any[]): void; warn(msg: string, ...attrs: any[]): void; error(msg: string, ...attrs: any[]): void };
}

interface MailerAddress { address: string; name?: string }

/** PocketBase's mailer.Message. */
declare class MailerMessage {
  constructor(data?: Partial<MailerMessage>);
  from: MailerAddress;
  to: MailerAddress[];
  cc: MailerAddress[];
  bcc: MailerAddress[];
  subject: string;
  html: string;
  text: string;
  headers: { [name: string]: string };
}

interface MailClient {
  /** Sends through the app's mail client (and its `onMailerSend` hook). */
  send(message: MailerMessage): void;
}

declare const $app: App;

interface RequestInfo {
  method: string;
  query: { [key: string]: any };
  headers: { [key: string]: any };
  body: { [key: string]: any };
  auth: Record | null;
  context: string;
}

interface RequestEvent {
  app: App;
  auth: Record | null;
  request: {
    method: string;
    url: { path: string; rawQuery: string; query(): { get(key: string): string }; string(): string };
    pathValue(name: string): string;
    header: { get(name: string): string };
  };
  response: { header(): { set(name: string, value: string): void } };
  next(): void;
  json(status: number, data: any): void;
  string(status: number, text: string): void;
  html(status: number, html: string): void;
  noContent(status: number): void;
  redirect(status: number, url: string): void;
  blob(status: number, contentType: string, bytes: number[]): void;
  bindBody(target: object): any;
  requestInfo(): RequestInfo;
  hasSuperuserAuth(): boolean;
  realIP(): string;
  remoteIP(): string;
}

interface RecordEvent { app: App; record: Record; collection: Collection; next(): void }
interface CollectionEvent { app: App; collection: Collection; next(): void }
interface RecordRequestEvent extends RequestEvent { record: Record; collection: Collection }

declare class Middleware { constructor(func: HandlerFunc<RequestEvent>, priority?: number, id?: string) }
type MiddlewareLike = HandlerFunc<RequestEvent> | Middleware | object;

declare function routerAdd(method: string, path: string, handler: HandlerFunc<RequestEvent>, ...middlewares: MiddlewareLike[]): void;
declare function routerUse(...middlewares: MiddlewareLike[]): void;
declare function cronAdd(id: string, expression: string, fn: () => void): void;
declare function cronRemove(id: string): void;
declare function migrate(up: (app: App) => void, down?: (app: App) => void): void;
declare function onBootstrap(handler: HandlerFunc<{ app: App; next(): void }>): void;
declare function onServe(handler: HandlerFunc<{ app: App; next(): void }>): void;
declare function onTerminate(handler: HandlerFunc<{ app: App; next(): void }>): void;
declare function onSettingsReload(handler: HandlerFunc<{ app: App; next(): void }>): void;
declare function onRecordValidate(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordCreate(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordCreateExecute(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordAfterCreateSuccess(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordAfterCreateError(handler: HandlerFunc<RecordEvent & { error: string }>, ...collections: string[]): void;
declare function onRecordUpdate(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordUpdateExecute(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordAfterUpdateSuccess(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordAfterUpdateError(handler: HandlerFunc<RecordEvent & { error: string }>, ...collections: string[]): void;
declare function onRecordDelete(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordDeleteExecute(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordAfterDeleteSuccess(handler: HandlerFunc<RecordEvent>, ...collections: string[]): void;
declare function onRecordAfterDeleteError(handler: HandlerFunc<RecordEvent & { error: string }>, ...collections: string[]): void;
declare function onCollectionValidate(handler: HandlerFunc<CollectionEvent>, ...collections: string[]): void;
declare function onCollectionCreate(handler: HandlerFunc<CollectionEvent>, ...collections: string[]): void;
declare function onCollectionAfterCreateSuccess(handler: HandlerFunc<CollectionEvent>, ...collections: string[]): void;
declare function onCollectionUpdate(handler: HandlerFunc<CollectionEvent>, ...collections: string[]): void;
declare function onCollectionAfterUpdateSuccess(handler: HandlerFunc<CollectionEvent>, ...collections: string[]): void;
declare function onCollectionDelete(handler: HandlerFunc<CollectionEvent>, ...collections: string[]): void;
declare function onCollectionAfterDeleteSuccess(handler: HandlerFunc<CollectionEvent>, ...collections: string[]): void;
declare function onRecordEnrich(handler: HandlerFunc<RecordEvent & { requestInfo(): RequestInfo }>, ...collections: string[]): void;
declare function onRecordsListRequest(handler: HandlerFunc<{ app: App; records: Record[]; collection: Collection; next(): void }>, ...collections: string[]): void;
declare function onRecordViewRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRecordCreateRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRecordUpdateRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRecordDeleteRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRealtimeConnectRequest(handler: HandlerFunc<{ app: App; next(): void }>): void;
declare function onRealtimeSubscribeRequest(handler: HandlerFunc<{ app: App; subscriptions: string[]; next(): void }>): void;
declare function onRealtimeMessageSend(handler: HandlerFunc<{ app: App; message: { name: string; data: string }; next(): void }>): void;
declare function onBackupCreate(handler: HandlerFunc<{ app: App; name: string; next(): void }>): void;
interface MailerEvent { app: App; message: MailerMessage; next(): void }
interface MailerRecordEvent extends MailerEvent { record: Record; collection: Collection; meta: { [key: string]: any } }
interface RecordAuthRequestEvent extends RequestEvent { record: Record; collection: Collection; token: string; meta: any; authMethod: string }
interface RecordAuthWithPasswordRequestEvent { app: App; record: Record | null; collection: Collection; identity: string; identityField: string; next(): void }
interface RecordAuthRefreshRequestEvent { app: App; record: Record; collection: Collection; next(): void }
interface RecordAuthWithOAuth2RequestEvent extends RequestEvent { record: Record | null; collection: Collection; providerName: string; oauth2User: { [key: string]: any }; createData: { [key: string]: any }; isNewRecord: boolean }
interface RecordCreateOTPRequestEvent extends RequestEvent { record: Record | null; collection: Collection; password: string }
interface RecordAuthWithOTPRequestEvent extends RequestEvent { record: Record; collection: Collection; otp: Record }
interface RecordEmailChangeRequestEvent extends RequestEvent { record: Record; collection: Collection; newEmail: string }
declare function onMailerSend(handler: HandlerFunc<MailerEvent>): void;
declare function onMailerRecordVerificationSend(handler: HandlerFunc<MailerRecordEvent>, ...collections: string[]): void;
declare function onMailerRecordPasswordResetSend(handler: HandlerFunc<MailerRecordEvent>, ...collections: string[]): void;
declare function onMailerRecordEmailChangeSend(handler: HandlerFunc<MailerRecordEvent>, ...collections: string[]): void;
declare function onMailerRecordOTPSend(handler: HandlerFunc<MailerRecordEvent>, ...collections: string[]): void;
declare function onMailerRecordAuthAlertSend(handler: HandlerFunc<MailerRecordEvent>, ...collections: string[]): void;
declare function onRecordAuthRequest(handler: HandlerFunc<RecordAuthRequestEvent>, ...collections: string[]): void;
declare function onRecordAuthWithPasswordRequest(handler: HandlerFunc<RecordAuthWithPasswordRequestEvent>, ...collections: string[]): void;
declare function onRecordAuthRefreshRequest(handler: HandlerFunc<RecordAuthRefreshRequestEvent>, ...collections: string[]): void;
declare function onRecordAuthWithOAuth2Request(handler: HandlerFunc<RecordAuthWithOAuth2RequestEvent>, ...collections: string[]): void;
declare function onRecordRequestOTPRequest(handler: HandlerFunc<RecordCreateOTPRequestEvent>, ...collections: string[]): void;
declare function onRecordAuthWithOTPRequest(handler: HandlerFunc<RecordAuthWithOTPRequestEvent>, ...collections: string[]): void;
declare function onRecordRequestVerificationRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRecordConfirmVerificationRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRecordRequestPasswordResetRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRecordConfirmPasswordResetRequest(handler: HandlerFunc<RecordRequestEvent>, ...collections: string[]): void;
declare function onRecordRequestEmailChangeRequest(handler: HandlerFunc<RecordEmailChangeRequestEvent>, ...collections: string[]): void;
declare function onRecordConfirmEmailChangeRequest(handler: HandlerFunc<RecordEmailChangeRequestEvent>, ...collections: string[]): void;
declare function onBackupRestore(handler: HandlerFunc<{ app: App; name: string; next(): void }>): void;

declare const $apis: {
  requireAuth(...collections: string[]): object;
  requireSuperuserAuth(): object;
  requireGuestOnly(): object;
  requireSuperuserOrOwnerAuth(ownerIdParam?: string): object;
  bodyLimit(bytes: number): object;
  gzip(): object;
  skipSuccessActivityLog(): object;
};

declare const $security: {
  randomString(length: number): string;
  randomStringWithAlphabet(length: number, alphabet: string): string;
  randomStringByRegex(pattern: string): string;
  createJWT(payload: { [key: string]: any }, secret: string, durationSecs: number): string;
  parseJWT(token: string, secret: string): { [key: string]: any };
  parseUnverifiedJWT(token: string): { [key: string]: any };
  equal(a: string, b: string): boolean;
};

declare const $os: {
  getenv(key: string): string;
  readFile(path: string): string;
  writeFile(path: string, data: string): void;
  readDir(path: string): { name: string; isDir: boolean }[];
  mkdirAll(path: string): void;
  remove(path: string): void;
  removeAll(path: string): void;
};

declare const $http: {
  send(options: { url: string; method?: string; headers?: { [key: string]: string }; body?: any; timeout?: number }): {
    statusCode: number;
    headers: { [key: string]: string[] };
    raw: string;
    json: any;
  };
};

declare const __hooks: string;
declare function require(path: string): any;
declare function sleep(ms: number): void;
declare function toString(value: any): string;
