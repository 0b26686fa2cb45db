package hookspec

// ParametersFile names the Application's parameters in messages.
const ParametersFile = "parameters"

// Parameter names.
const (
	ParamDisable    = "disable"
	ParamEnable     = "enable"
	ParamHookPrefix = "hook."
)
