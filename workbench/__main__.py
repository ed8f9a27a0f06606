from workbench.cli.entry import main

main()
