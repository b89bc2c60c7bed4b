"""The agents: what each participant decides. (Mesa agent classes arrive with the model.)"""
