import ModelServing
import TrainingWorker

/// SageMaker's first-party images this build runs natively, for the worker (training) and hosting (serving).
public enum FirstPartyAlgorithms {
    public static func register() {
        TrainingWorker.algorithms["kmeans"] = { KMeansTraining() }
        TrainingWorker.algorithms["pca"] = { PCATraining() }
        TrainingWorker.algorithms["linear-learner"] = { LinearLearnerTraining() }
        TrainingWorker.algorithms["lda"] = { LDATraining() }
        ModelLoaders.register(KMeansModelLoader())
        ModelLoaders.register(PCAModelLoader())
        ModelLoaders.register(LinearLearnerModelLoader())
        ModelLoaders.register(LDAModelLoader())
    }
}
