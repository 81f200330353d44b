t=$(mktemp -d) && trap 'rm -rf "$t"' EXIT
mkdir "$t/d.data" && cd "$t" && pd-collapse d.data
