package rulespairing

// FirstSixDigits exports firstSixDigits to the tests.
var FirstSixDigits = firstSixDigits
