// Public surface of @lambda-iot/simulator: a seeded, messy device fleet, its ground truth, and senders for each transport.
export { Prng, prngFor } from './prng';
export { SITES, DEVICE_TYPES, deviceIdOf, fleetDevices } from './fleet';
export type { DeviceType, FleetDevice } from './fleet';
export { deviceToken } from './device-token';
export { METRICS, energyAt, metricValue, deviceProfile } from './metric-models';
export type { MetricName, DeviceProfile } from './metric-models';
export { DEFAULT_FAULTS, NO_FAULTS } from './fault-profile';
export type { FaultProfile } from './fault-profile';
export { MALFORMED_KINDS, EXPECTED_REJECTION, malformedBytes } from './malformed-record';
export type { MalformedKind } from './malformed-record';
export { DEFAULT_ENVELOPE_SIZE, TrafficGenerator, generateTraffic } from './traffic-generator';
export type {
  EnvelopeItem,
  MalformedItem,
  TrafficItem,
  TrafficOptions,
  TrafficStats,
} from './traffic-generator';
export { GroundTruth } from './ground-truth';
export { SendPacer } from './send-pacer';
export type { SendPacerOptions } from './send-pacer';
export { InFlightLimit } from './in-flight-limit';
export { emptyReport } from './traffic-sender';
export type { SendReport, TrafficSender } from './traffic-sender';
export { KafkaSender } from './kafka-sender';
export type { KafkaSenderOptions } from './kafka-sender';
export { HttpSender } from './http-sender';
export type { HttpSenderOptions } from './http-sender';
export { MqttSender, MqttSendError, readingsTopicOf } from './mqtt-sender';
export type { MqttSenderOptions } from './mqtt-sender';
export { runTraffic } from './run-traffic';
export type { RunTrafficOptions } from './run-traffic';
export { AnomalyInjector, INJECTED_ANOMALY_KINDS, DEFAULT_ANOMALY_SCALES } from './anomaly-injector';
export type { AnomalyInjectorOptions, AnomalyLabel, InjectedAnomalyKind } from './anomaly-injector';
export { simulatedDevices } from './simulated-device';
export type { SimulatedDevice } from './simulated-device';
export { periodicReadings } from './periodic-readings';
export type { PeriodicReadingsOptions } from './periodic-readings';
export { EXPECTED_ALERT_KIND, LABEL_MATCH_SLACK_MS, overlapsLabel } from './overlaps-label';
export { scoreAlerts } from './label-scoring';
export type { LabelKindScore, LabelScores, LabelScoringOptions, ScoredAlert } from './label-scoring';
