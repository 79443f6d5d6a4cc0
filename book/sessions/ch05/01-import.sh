cat $IMG/index.json | tr ',' '\n' | grep -E 'digest|ref.name'
ch05-overlay --store $STORE --explain import $IMG:base busybox
ch05-overlay --store $STORE images
ls $STORE/layers; ls $STORE/layers/* | head -5
