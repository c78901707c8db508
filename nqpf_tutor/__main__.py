from nqpf_tutor.cli import main

raise SystemExit(main())
