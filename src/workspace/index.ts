// What the agent workspace keeps beside conversations: private notes, canned responses and their
// variables, disposition codes and the wrap-up, and business hours (a pure schedule function).
export {
  assertBusinessHours,
  type BusinessHours,
  type BusinessHoursChanges,
  businessHoursStatus,
  createBusinessHours,
  deleteBusinessHours,
  getBusinessHours,
  listBusinessHours,
  type NewBusinessHours,
  updateBusinessHours,
} from './business-hours.js';
export {
  type CannedChanges,
  type CannedFilter,
  type CannedLanguage,
  type CannedResponse,
  createCanned,
  deleteCanned,
  listCanned,
  type NewCannedResponse,
  renderCanned,
  updateCanned,
} from './canned.js';
export {
  createDispositionCode,
  type DispositionChanges,
  type DispositionCode,
  deleteDispositionCode,
  listDispositionCodes,
  type NewDispositionCode,
  updateDispositionCode,
  type WrapUp,
  wrapUpConversation,
} from './dispositions.js';
export { FileTooLarge, UnknownDisposition, UnsupportedFile } from './errors.js';
export { addNote, listNotes, type NewNote, type Note } from './notes.js';
export {
  assertSchedule,
  type Holiday,
  isTimeZone,
  type Schedule,
  type ScheduleStatus,
  scheduleStatus,
  type WeeklyRange,
} from './schedule.js';
export { firstNameOf, type Rendered, renderTemplate, TEMPLATE_VARIABLES } from './template.js';
