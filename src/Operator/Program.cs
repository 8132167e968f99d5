using GmsaOperator.Operator.Cli;

return await OperatorCli.InvokeAsync(args);
