import Foundation
import Metadata
import SageMakerShapes

/// Typed access to one kind of resource document (models, endpoint configurations, endpoints).
struct ResourceStore<Document: Codable & Sendable>: Sendable {
    let kind: String
    let repository: any ResourceRepository

    func insert(_ doc: Document, name: String, caller: Caller, at time: Date) async throws {
        try await repository.insertResource(ResourceRecord(kind: kind, accountId: caller.accountId, region: caller.region, name: name,
                                                           creationTime: time, document: try encodeShape(doc)))
    }

    func get(_ name: String, caller: Caller) async throws -> Document? {
        guard let r = try await repository.resource(kind: kind, accountId: caller.accountId, region: caller.region, name: name) else { return nil }
        return try decodeShape(Document.self, from: r.document)
    }

    func update(_ doc: Document, name: String, accountId: String, region: String) async throws {
        try await repository.updateResource(ResourceRecord(kind: kind, accountId: accountId, region: region, name: name,
                                                           creationTime: Date(), document: try encodeShape(doc)))
    }

    /// Changes a document in one transaction (concurrent deploys, updates and deletes never lose each other's writes).
    func mutate(_ name: String, accountId: String, region: String, _ change: @escaping @Sendable (inout Document) throws -> Void) async throws {
        try await repository.mutateResource(kind: kind, accountId: accountId, region: region, name: name) { record in
            var doc = try decodeShape(Document.self, from: record.document)
            try change(&doc)
            var updated = record
            updated.document = try encodeShape(doc)
            return updated
        }
    }

    func delete(_ name: String, caller: Caller) async throws {
        try await repository.deleteResource(kind: kind, accountId: caller.accountId, region: caller.region, name: name)
    }

    func all(caller: Caller) async throws -> [Document] {
        try await repository.resources(kind: kind, accountId: caller.accountId, region: caller.region).map {
            try decodeShape(Document.self, from: $0.document)
        }
    }

    func everywhere() async throws -> [(record: ResourceRecord, document: Document)] {
        try await repository.resources(kind: kind).map { ($0, try decodeShape(Document.self, from: $0.document)) }
    }
}

/// A model as stored: its description and tags.
struct StoredModel: Codable, Sendable {
    var description: DescribeModelOutput
    var tags: [Tag]
}

struct StoredEndpointConfig: Codable, Sendable {
    var description: DescribeEndpointConfigOutput
    var tags: [Tag]
}

struct StoredEndpoint: Codable, Sendable {
    var description: DescribeEndpointOutput
    var tags: [Tag]
}
