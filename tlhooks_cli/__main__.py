from tlhooks_cli.main import main

main()
