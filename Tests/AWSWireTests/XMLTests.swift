import Foundation
import Testing
@testable import AWSWire

@Suite struct XMLTests {
    @Test func parsesCompleteMultipartUpload() throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Part><ETag>"a&amp;b"</ETag><PartNumber>1</PartNumber><ChecksumCRC32>NhCmhg==</ChecksumCRC32></Part>
              <!-- a comment -->
              <Part><ETag><![CDATA["c<d"]]></ETag><PartNumber>2</PartNumber></Part>
            </CompleteMultipartUpload>
            """
        let doc = try XMLParser.parse(Array(body.utf8))
        #expect(doc.name == "CompleteMultipartUpload")
        let parts = doc.all("Part")
        #expect(parts.map { $0.value("PartNumber") } == ["1", "2"])
        #expect(parts[0].value("ETag") == "\"a&b\"")
        #expect(parts[1].value("ETag") == "\"c<d\"")
    }

    @Test func stripsNamespacePrefixesAndDecodesCharacterReferences() throws {
        let doc = try XMLParser.parse(Array("<s3:Delete><s3:Object><s3:Key>caf&#233; &#x41;</s3:Key></s3:Object><Quiet>true</Quiet></s3:Delete>".utf8))
        #expect(doc.name == "Delete")
        #expect(doc.child("Object")?.value("Key") == "café A")
        #expect(doc.value("Quiet") == "true")
    }

    @Test(arguments: ["<a><b></a>", "<a>", "", "<a>&bogus;</a>", String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)])
    func rejectsMalformed(_ text: String) {
        #expect(throws: XMLParseError.self) { try XMLParser.parse(Array(text.utf8)) }
    }

    @Test func writerEscapes() {
        var x = XMLWriter()
        x.element("Root", namespace: "urn:x") { x in
            x.element("Key", "a<b>&\"c'\u{1}")
            x.element("Absent", ifPresent: nil)
        }
        #expect(x.text.hasSuffix("<Root xmlns=\"urn:x\"><Key>a&lt;b&gt;&amp;&quot;c&apos;&#1;</Key></Root>"))
        // And what we write, we read back.
        let back = try? XMLParser.parse(Array(x.text.utf8))
        #expect(back?.value("Key") == "a<b>&\"c'\u{1}")
    }

    @Test func timestamps() {
        let d = Date(timeIntervalSince1970: 1_795_307_415.123)
        #expect(AWSTimestamp.iso8601(d) == "2026-11-22T00:30:15.123Z")
        #expect(AWSTimestamp.httpDate(d) == "Sun, 22 Nov 2026 00:30:15 GMT")
        #expect(AWSTimestamp.parseHTTPDate("Sun, 22 Nov 2026 00:30:15 GMT") == Date(timeIntervalSince1970: 1_795_307_415))
    }
}
