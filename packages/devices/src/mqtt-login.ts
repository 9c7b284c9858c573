// A username and password for an MQTT broker, as apps pass them from their configuration.
export interface MqttLogin {
  username: string;
  password: string;
}
