import ServiceLifecycle

/// Runs one service of an application and reports its lifetime to `ServiceStates`: started,
/// asked to stop, cancelled (and in which phase), stopped or failed. A failure is rethrown as
/// `ApplicationError.serviceFailed` naming the service.
struct SupervisedService: Service, CustomStringConvertible {
    let name: String
    let base: any Service
    let states: ServiceStates

    /// The name ServiceLifecycle logs for it.
    var description: String { name }

    func run() async throws {
        states.started(name)
        let name = self.name
        let states = self.states
        do {
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await base.run()
                } onGracefulShutdown: {
                    states.stopRequested(name)
                }
            } onCancel: {
                states.cancelled(name)
            }
            states.ended(name, failed: false)
        } catch is CancellationError {
            states.ended(name, failed: false)
            throw CancellationError()
        } catch {
            states.ended(name, failed: true)
            throw ApplicationError.serviceFailed(service: name, error: error)
        }
    }
}
