// When devices last reported: the latest event time of a reading the speed layer counted, per device.

export interface LastSeenSource {
  /** Epoch ms per device; devices never seen are absent from the map. */
  lastSeen(deviceIds: readonly string[]): Promise<Map<string, number>>;
}
