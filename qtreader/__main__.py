from qtreader.cli import main

raise SystemExit(main())
