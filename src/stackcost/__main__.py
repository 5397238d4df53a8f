from stackcost._entry import main

main()
