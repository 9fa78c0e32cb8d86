import ModelServing
import TrainingWorker

/// SageMaker's first-party images this build runs natively, for the worker (training) and hosting (serving).
public enum FirstPartyAlgorithms {
    public static func register() {
        TrainingWorker.algorithms["linear-learner"] = { LinearLearnerTraining() }
        ModelLoaders.register(LinearLearnerModelLoader())
    }
}
