//! Journey assembly from raw event logs (DESIGN §3).
