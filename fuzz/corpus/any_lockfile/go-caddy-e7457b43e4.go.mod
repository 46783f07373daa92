module github.com/caddyserver/caddy/v2

go 1.16

require (
	github.com/Masterminds/sprig/v3 v3.2.2
	github.com/alecthomas/chroma v0.9.2
	github.com/aryann/difflib v0.0.0-20210328193216-ff5ff6dc229b
	github.com/caddyserver/certmagic v0.15.2
	github.com/dustin/go-humanize v1.0.1-0.20200219035652-afde56e7acac
	github.com/go-chi/chi v4.1.2+incompatible
	github.com/google/cel-go v0.7.3
	github.com/google/uuid v1.3.0
	github.com/klauspost/compress v1.13.6
	github.com/klauspost/cpuid/v2 v2.0.9
	github.com/lucas-clemente/quic-go v0.23.0
	github.com/mholt/acmez v1.0.1
	github.com/naoina/go-stringutil v0.1.0 // indirect
	github.com/naoina/toml v0.1.1
	github.com/prometheus/client_golang v1.11.0
	github.com/smallstep/certificates v0.17.5-0.20211008195551-04fe3126bebf
	github.com/smallstep/cli v0.17.6
	github.com/smallstep/nosql v0.3.8
	github.com/smallstep/truststore v0.9.6
	github.com/yuin/goldmark v1.4.1
	github.com/yuin/goldmark-highlighting v0.0.0-20210516132338-9216f9c5aa01
	go.uber.org/zap v1.19.0
	golang.org/x/crypto v0.0.0-20210915214749-c084706c2272
	golang.org/x/net v0.0.0-20210913180222-943fd674d43e
	golang.org/x/term v0.0.0-20210503060354-a79de5458b56
	google.golang.org/genproto v0.0.0-20210719143636-1d5a45f8e492
	google.golang.org/protobuf v1.27.1
	gopkg.in/natefinch/lumberjack.v2 v2.0.0
	gopkg.in/yaml.v2 v2.4.0
)

// avoid license conflict from juju/ansiterm until https://github.com/manifoldco/promptui/pull/181
// is merged or other dependency in path currently in violation fixes compliance
replace github.com/manifoldco/promptui => github.com/nguyer/promptui v0.8.1-0.20210517132806-70ccd4709797
