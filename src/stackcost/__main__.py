from stackcost.cli import main

main()
