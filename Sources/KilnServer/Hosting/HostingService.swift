import AWSWire
import Foundation
import ModelServing
import Logging
import Metadata
import SageMakerShapes
import TrainingRuntime

/// Models, endpoint configurations and endpoints. Endpoints load their models in-process (read-only, in
/// memory) and move Creating → InService, or Failed with the reason; an update loads the new configuration
/// before it replaces the old one, so no request fails during the switch.
final class HostingService: Sendable {
    let models: ResourceStore<StoredModel>
    let configs: ResourceStore<StoredEndpointConfig>
    let endpoints: ResourceStore<StoredEndpoint>
    let objects: InternalObjects
    let runtime = EndpointRuntime()
    let scratch: URL
    let logger: Logger

    init(store: any MetadataStore, objects: InternalObjects, scratch: URL, logger: Logger) {
        models = ResourceStore(kind: "model", repository: store)
        configs = ResourceStore(kind: "endpoint-config", repository: store)
        endpoints = ResourceStore(kind: "endpoint", repository: store)
        self.objects = objects
        self.scratch = scratch
        self.logger = logger
    }

    // MARK: Models

    func createModel(_ r: CreateModelInput, caller: Caller) async throws -> CreateModelOutput {
        let name = r.modelName ?? ""
        let arn = HostingErrors.arn(caller, "model", name)
        guard r.primaryContainer != nil || !(r.containers ?? []).isEmpty else {
            throw AWSError("ValidationException", status: 400, "Either PrimaryContainer or Containers must be provided for model \(name).")
        }
        var d = DescribeModelOutput()
        d.modelName = name
        d.modelArn = arn
        d.primaryContainer = r.primaryContainer
        d.containers = r.containers
        d.executionRoleArn = r.executionRoleArn
        d.vpcConfig = r.vpcConfig
        d.enableNetworkIsolation = r.enableNetworkIsolation ?? false
        d.inferenceExecutionConfig = r.inferenceExecutionConfig
        d.creationTime = Date()
        do {
            try await models.insert(StoredModel(description: d, tags: r.tags ?? []), name: name, caller: caller, at: d.creationTime!)
        } catch MetadataError.alreadyExists {
            throw HostingErrors.alreadyExists("model", arn)
        }
        return CreateModelOutput(modelArn: arn)
    }

    func describeModel(_ name: String, caller: Caller) async throws -> DescribeModelOutput {
        guard let m = try await models.get(name, caller: caller) else { throw HostingErrors.notFound("model", HostingErrors.arn(caller, "model", name)) }
        return m.description
    }

    func deleteModel(_ name: String, caller: Caller) async throws {
        do { try await models.delete(name, caller: caller) } catch MetadataError.notFound {
            throw HostingErrors.notFound("model", HostingErrors.arn(caller, "model", name))
        }
    }

    func listModels(_ r: ListModelsInput, caller: Caller) async throws -> ListModelsOutput {
        let all = try await models.all(caller: caller).map(\.description).filter { m in
            if let v = r.nameContains, !(m.modelName ?? "").lowercased().contains(v.lowercased()) { return false }
            if let v = r.creationTimeAfter, (m.creationTime ?? .distantPast) <= v { return false }
            if let v = r.creationTimeBefore, (m.creationTime ?? .distantFuture) >= v { return false }
            return true
        }
        let sorted = ListPaging.sort(all, by: r.sortBy == "Name" ? { $0.modelName ?? "" } : { ListPaging.timeKey($0.creationTime) + ($0.modelName ?? "") },
                               ascending: r.sortOrder == "Ascending")
        let (page, token) = try ListPaging.page(sorted, token: r.nextToken, max: r.maxResults ?? 10)
        return ListModelsOutput(models: page.map { ModelSummary(modelName: $0.modelName, modelArn: $0.modelArn, creationTime: $0.creationTime) },
                                nextToken: token)
    }

    // MARK: Endpoint configurations

    func createEndpointConfig(_ r: CreateEndpointConfigInput, caller: Caller) async throws -> CreateEndpointConfigOutput {
        let name = r.endpointConfigName ?? ""
        let arn = HostingErrors.arn(caller, "endpoint-config", name)
        let variants = r.productionVariants ?? []
        guard Set(variants.compactMap(\.variantName)).count == variants.count else {
            throw AWSError("ValidationException", status: 400, "Variant names must be unique within an endpoint configuration.")
        }
        for v in variants {
            guard try await models.get(v.modelName ?? "", caller: caller) != nil else {
                throw HostingErrors.notFound("model", HostingErrors.arn(caller, "model", v.modelName ?? ""))
            }
        }
        var d = DescribeEndpointConfigOutput()
        d.endpointConfigName = name
        d.endpointConfigArn = arn
        d.productionVariants = variants.map { v in
            var v = v
            if v.initialVariantWeight == nil { v.initialVariantWeight = 1.0 }
            return v
        }
        d.dataCaptureConfig = r.dataCaptureConfig
        d.kmsKeyId = r.kmsKeyId
        d.asyncInferenceConfig = r.asyncInferenceConfig
        d.executionRoleArn = r.executionRoleArn
        d.creationTime = Date()
        do {
            try await configs.insert(StoredEndpointConfig(description: d, tags: r.tags ?? []), name: name, caller: caller, at: d.creationTime!)
        } catch MetadataError.alreadyExists {
            throw HostingErrors.alreadyExists("endpoint configuration", arn)
        }
        return CreateEndpointConfigOutput(endpointConfigArn: arn)
    }

    func describeEndpointConfig(_ name: String, caller: Caller) async throws -> DescribeEndpointConfigOutput {
        guard let c = try await configs.get(name, caller: caller) else {
            throw HostingErrors.notFound("endpoint configuration", HostingErrors.arn(caller, "endpoint-config", name))
        }
        return c.description
    }

    func listEndpointConfigs(_ r: ListEndpointConfigsInput, caller: Caller) async throws -> ListEndpointConfigsOutput {
        let all = try await configs.all(caller: caller).map(\.description).filter { c in
            if let v = r.nameContains, !(c.endpointConfigName ?? "").lowercased().contains(v.lowercased()) { return false }
            if let v = r.creationTimeAfter, (c.creationTime ?? .distantPast) <= v { return false }
            if let v = r.creationTimeBefore, (c.creationTime ?? .distantFuture) >= v { return false }
            return true
        }
        let sorted = ListPaging.sort(all, by: r.sortBy == "Name" ? { $0.endpointConfigName ?? "" } : { ListPaging.timeKey($0.creationTime) + ($0.endpointConfigName ?? "") },
                               ascending: r.sortOrder == "Ascending")
        let (page, token) = try ListPaging.page(sorted, token: r.nextToken, max: r.maxResults ?? 10)
        return ListEndpointConfigsOutput(endpointConfigs: page.map {
            EndpointConfigSummary(endpointConfigName: $0.endpointConfigName, endpointConfigArn: $0.endpointConfigArn, creationTime: $0.creationTime)
        }, nextToken: token)
    }

    func deleteEndpointConfig(_ name: String, caller: Caller) async throws {
        do { try await configs.delete(name, caller: caller) } catch MetadataError.notFound {
            throw HostingErrors.notFound("endpoint configuration", HostingErrors.arn(caller, "endpoint-config", name))
        }
    }

    // MARK: Endpoints

    func createEndpoint(_ r: CreateEndpointInput, caller: Caller) async throws -> CreateEndpointOutput {
        let name = r.endpointName ?? ""
        let arn = HostingErrors.arn(caller, "endpoint", name)
        let config = try await describeEndpointConfig(r.endpointConfigName ?? "", caller: caller)
        var d = DescribeEndpointOutput()
        d.endpointName = name
        d.endpointArn = arn
        d.endpointConfigName = config.endpointConfigName
        d.endpointStatus = "Creating"
        d.creationTime = Date()
        d.lastModifiedTime = d.creationTime
        do {
            try await endpoints.insert(StoredEndpoint(description: d, tags: r.tags ?? []), name: name, caller: caller, at: d.creationTime!)
        } catch MetadataError.alreadyExists {
            throw HostingErrors.alreadyExists("endpoint", arn)
        }
        let deployment = Task { await deploy(name: name, config: config, accountId: caller.accountId, region: caller.region, isUpdate: false) }
        await Self.waitBriefly(for: deployment)
        return CreateEndpointOutput(endpointArn: arn)
    }

    /// Waits up to `limit` for a deployment before answering. Built-in models load in milliseconds, and the SDK
    /// sleeps 30 s after any DescribeEndpoint that is not yet InService; a deployment that takes longer simply goes
    /// on in the background (the endpoint stays Creating/Updating until it is done).
    static func waitBriefly(for deployment: Task<Void, Never>, limit: Duration = .seconds(2)) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await deployment.value }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    func describeEndpoint(_ name: String, caller: Caller) async throws -> DescribeEndpointOutput {
        guard let e = try await endpoints.get(name, caller: caller) else {
            throw HostingErrors.notFound("endpoint", HostingErrors.arn(caller, "endpoint", name))
        }
        return e.description
    }

    func deleteEndpoint(_ name: String, caller: Caller) async throws {
        do { try await endpoints.delete(name, caller: caller) } catch MetadataError.notFound {
            throw HostingErrors.notFound("endpoint", HostingErrors.arn(caller, "endpoint", name))
        }
        runtime.remove(EndpointRuntime.key(caller.accountId, caller.region, name))
    }

    func updateEndpoint(_ r: UpdateEndpointInput, caller: Caller) async throws -> UpdateEndpointOutput {
        let name = r.endpointName ?? ""
        let arn = HostingErrors.arn(caller, "endpoint", name)
        let config = try await describeEndpointConfig(r.endpointConfigName ?? "", caller: caller)
        do {
            try await endpoints.mutate(name, accountId: caller.accountId, region: caller.region) { stored in
                guard stored.description.endpointStatus == "InService" || stored.description.endpointStatus == "Failed" else {
                    throw AWSError("ValidationException", status: 400, "Cannot update in-progress endpoint \"\(arn)\".")
                }
                stored.description.endpointStatus = "Updating"
                stored.description.lastModifiedTime = Date()
            }
        } catch MetadataError.notFound {
            throw HostingErrors.notFound("endpoint", arn)
        }
        let deployment = Task { await deploy(name: name, config: config, accountId: caller.accountId, region: caller.region, isUpdate: true) }
        await Self.waitBriefly(for: deployment)
        return UpdateEndpointOutput(endpointArn: arn)
    }

    /// Changes variant weights (and recorded instance counts) of a serving endpoint in place.
    func updateWeightsAndCapacities(_ r: UpdateEndpointWeightsAndCapacitiesInput, caller: Caller) async throws -> UpdateEndpointWeightsAndCapacitiesOutput {
        let name = r.endpointName ?? ""
        let arn = HostingErrors.arn(caller, "endpoint", name)
        let key = EndpointRuntime.key(caller.accountId, caller.region, name)
        let desired = r.desiredWeightsAndCapacities ?? []
        guard let stored = try await endpoints.get(name, caller: caller) else { throw HostingErrors.notFound("endpoint", arn) }
        guard stored.description.endpointStatus == "InService", var variants = runtime.variants(key) else {
            throw AWSError("ValidationException", status: 400, "Cannot update in-progress endpoint \"\(arn)\".")
        }
        for d in desired {
            guard let i = variants.firstIndex(where: { $0.name == d.variantName }) else {
                throw AWSError("ValidationException", status: 400, "The variant(s) \"[\(d.variantName ?? "")]\" are not present in the endpoint \"\(arn)\".")
            }
            if let w = d.desiredWeight { variants[i].weight = w }
        }
        runtime.install(key, variants)
        try await endpoints.mutate(name, accountId: caller.accountId, region: caller.region) { stored in
            stored.description.productionVariants = stored.description.productionVariants?.map { v in
                var v = v
                if let d = desired.first(where: { $0.variantName == v.variantName }) {
                    if let w = d.desiredWeight { v.currentWeight = w; v.desiredWeight = w }
                    if let c = d.desiredInstanceCount { v.currentInstanceCount = c; v.desiredInstanceCount = c }
                }
                return v
            }
            stored.description.lastModifiedTime = Date()
        }
        return UpdateEndpointWeightsAndCapacitiesOutput(endpointArn: arn)
    }

    func listEndpoints(_ r: ListEndpointsInput, caller: Caller) async throws -> ListEndpointsOutput {
        let all = try await endpoints.all(caller: caller).map(\.description).filter { e in
            if let v = r.nameContains, !(e.endpointName ?? "").lowercased().contains(v.lowercased()) { return false }
            if let v = r.statusEquals, e.endpointStatus != v { return false }
            if let v = r.creationTimeAfter, (e.creationTime ?? .distantPast) <= v { return false }
            if let v = r.creationTimeBefore, (e.creationTime ?? .distantFuture) >= v { return false }
            return true
        }
        let sorted = ListPaging.sort(all, by: r.sortBy == "Name" ? { $0.endpointName ?? "" } : r.sortBy == "Status" ? { $0.endpointStatus ?? "" }
                               : { ListPaging.timeKey($0.creationTime) + ($0.endpointName ?? "") }, ascending: r.sortOrder == "Ascending")
        let (page, token) = try ListPaging.page(sorted, token: r.nextToken, max: r.maxResults ?? 10)
        return ListEndpointsOutput(endpoints: page.map {
            EndpointSummary(endpointName: $0.endpointName, endpointArn: $0.endpointArn, creationTime: $0.creationTime,
                            lastModifiedTime: $0.lastModifiedTime, endpointStatus: $0.endpointStatus)
        }, nextToken: token)
    }

    /// Loads every variant's model, then swaps them in; on failure a new endpoint is Failed and an updated one
    /// keeps serving its previous configuration.
    func deploy(name: String, config: DescribeEndpointConfigOutput, accountId: String, region: String, isUpdate: Bool) async {
        let caller = Caller(accountId: accountId, region: region)
        var variants: [EndpointRuntime.Variant] = []
        var failure: String? = nil
        var images: [String: String] = [:]
        for v in config.productionVariants ?? [] {
            do {
                guard let model = try await models.get(v.modelName ?? "", caller: caller) else {
                    throw InvocationFailure("Could not find model \"\(HostingErrors.arn(caller, "model", v.modelName ?? ""))\".")
                }
                let (servable, image) = try await load(model.description, caller: caller)
                images[v.variantName ?? ""] = image
                variants.append(.init(name: v.variantName ?? "", weight: v.initialVariantWeight ?? 1, model: servable))
            } catch let e as InvocationFailure {
                failure = e.message
                break
            } catch {
                failure = "\(error)"
                break
            }
        }
        let key = EndpointRuntime.key(accountId, region, name)
        if failure == nil { runtime.install(key, variants) }
        let now = Date()
        let loadedImages = images
        let outcome = failure
        do {
            try await endpoints.mutate(name, accountId: accountId, region: region) { stored in
                Self.record(outcome, config: config, images: loadedImages, isUpdate: isUpdate, at: now, into: &stored)
            }
        } catch {
            if failure == nil { runtime.remove(key) }  // deleted while loading
        }
    }

    /// The endpoint's description after a deployment attempt.
    static func record(_ failure: String?, config: DescribeEndpointConfigOutput, images: [String: String], isUpdate: Bool, at now: Date,
                       into stored: inout StoredEndpoint) {
        if let failure {
            stored.description.endpointStatus = isUpdate ? "InService" : "Failed"
            stored.description.failureReason = String(failure.prefix(1024))
        } else {
            stored.description.endpointStatus = "InService"
            stored.description.failureReason = nil
            stored.description.endpointConfigName = config.endpointConfigName
            stored.description.productionVariants = (config.productionVariants ?? []).map { v in
                let image = images[v.variantName ?? ""]
                return ProductionVariantSummary(variantName: v.variantName,
                                                deployedImages: image.map { [DeployedImage(specifiedImage: $0, resolvedImage: $0, resolutionTime: now)] },
                                                currentWeight: v.initialVariantWeight ?? 1, desiredWeight: v.initialVariantWeight ?? 1,
                                                currentInstanceCount: v.initialInstanceCount ?? 1, desiredInstanceCount: v.initialInstanceCount ?? 1)
            }
        }
        stored.description.lastModifiedTime = now
    }

    /// Fetches and unpacks `ModelDataUrl`, then hands the folder to the image's loader.
    func load(_ model: DescribeModelOutput, caller: Caller) async throws -> (any ServableModel, String) {
        guard let container = model.primaryContainer ?? model.containers?.first, let image = container.image else {
            throw InvocationFailure("Model \(model.modelName ?? "") has no container image")
        }
        guard let loader = ModelLoaders.loader(for: image) else {
            throw InvocationFailure("Kiln cannot serve the image '\(image)' yet: it serves the built-in algorithms it can train")
        }
        let dir = scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("model"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        if let url = container.modelDataUrl {
            guard let (bucket, key) = ChannelPaths.parseS3URI(url) else { throw InvocationFailure("ModelDataUrl must be an s3:// URI: \(url)") }
            let archive = dir.appendingPathComponent("model.tar.gz").path
            do {
                try await objects.copy(bucket: bucket, key: key, to: archive, accountId: caller.accountId)
            } catch let e as InternalObjects.Failure {
                throw InvocationFailure("Failed to download model data from \(url): \(e.message)")
            }
            do { try TarGzExtractor.extract(archive, into: dir.appendingPathComponent("model")) } catch {
                throw InvocationFailure("Failed to extract model data archive from URL \"\(url)\". Please ensure that the object located at the URL is a valid tar.gz archive: \(error)")
            }
        }
        return (try loader.load(modelDirectory: dir.appendingPathComponent("model"), environment: container.environment ?? [:], image: image), image)
    }

    /// Endpoints that were serving (or starting) when Kiln stopped come back InService from the metadata store.
    func restoreEndpoints() async {
        guard let all = try? await endpoints.everywhere() else { return }
        for (record, stored) in all where ["InService", "Creating", "Updating"].contains(stored.description.endpointStatus ?? "") {
            let caller = Caller(accountId: record.accountId, region: record.region)
            guard let config = try? await describeEndpointConfig(stored.description.endpointConfigName ?? "", caller: caller) else { continue }
            await deploy(name: record.name, config: config, accountId: record.accountId, region: record.region, isUpdate: false)
        }
    }
}

extension Caller {
    /// A caller for work Kiln does on an account's behalf (start-up recovery, background deploys).
    init(accountId: String, region: String) {
        self.init(accountId: accountId, accessKeyId: "", userName: "root", region: region, verified: nil)
    }
}
