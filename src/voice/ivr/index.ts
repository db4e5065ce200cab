// IVR flows as data: the flow model and its validation, the pure engine that runs a flow on a call
// (over an injected clock), the versioned store with the dialled numbers and uploaded recordings,
// the admin's simulator, and the session that takes one inbound call from number to routing task.

export { type IvrAudio, listAudio, loadAudio, saveAudio } from './audio-store.js';
export {
  CallerHungUp,
  type CollectOptions,
  type IvrCall,
  type IvrContext,
  type IvrCustomer,
  type IvrOutcome,
  type IvrResult,
  type PathStep,
  runFlow,
} from './engine.js';
export { type FlowProblem, IvrFlowInvalid } from './errors.js';
export {
  type AttributeValue,
  type FlowDefinition,
  FlowDefinitionSchema,
  type FlowNode,
  type Prompt,
  PromptSchema,
  SpeechPromptSchema,
} from './flow.js';
export { deleteNumber, e164, listNumbers, numberOwner, setNumber, type VoiceNumber } from './numbers.js';
export { PromptAudioSource } from './prompt-audio.js';
export { sampleFlow } from './sample-flow.js';
export { HANG_UP, ScriptedCall } from './scripted-call.js';
export {
  type CallSession,
  callSummary,
  handleInboundCall,
  type IvrSessionDeps,
  type MediaCall,
} from './session.js';
export { type Simulation, type SimulationInput, simulateFlow } from './simulate.js';
export {
  createFlow,
  type FlowInput,
  type FlowUpdate,
  getFlow,
  type IvrFlow,
  type IvrFlowSummary,
  listFlows,
  loadFlow,
  TARGET_QUEUE_ATTRIBUTE,
  updateFlow,
} from './store.js';
export { type CompiledFlow, checkFlow, compileFlow, shapeErrors } from './validate.js';
