import Logging
import TestSupport

let testLogger = makeTestLogger("kafka-tests")
